/**
 * The layers of src/, lowest first (docs/architecture.md). A folder imports only folders of lower
 * layers: never one of its own layer or above, so the folders form no cycle either. index.ts, the
 * package's barrel, stands above them all.
 */
const LAYERS = [
  ['core'],
  ['key'],
  ['detection'],
  ['rules'],
  ['guardrail'],
  ['report', 'governance'],
  ['nag', 'aspects'],
];

const layerRules = LAYERS.flatMap((layer, rank) => {
  const notBelow = LAYERS.slice(rank).flat();
  return layer.map((folder) => ({
    name: `layer-${folder}`,
    comment: `src/${folder} may import only the layers below it: ${LAYERS.slice(0, rank).flat().join(', ') || 'none'}`,
    severity: 'error',
    from: { path: `^src/${folder}/` },
    to: { path: `^src/(${notBelow.filter((other) => other !== folder).join('|') || '$^'})/|^src/index\\.ts$` },
  }));
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-unknown-folder',
      comment: 'Every folder of src/ has a place in the layers (add a new one to LAYERS and docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: `^src/(${LAYERS.flat().join('|')})/|^src/index\\.ts$` },
    },
    {
      name: 'no-private-across-folders',
      comment: "A folder's private/ is its own: what two folders share lives in a lower layer",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/private/', pathNot: '^src/$1/' },
    },
    {
      name: 'no-cycles',
      comment: 'No module imports itself through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.dev.json' },
    // Type-only imports count: a cycle of types is still a cycle for whoever reads the code.
    tsPreCompilationDeps: true,
  },
};
