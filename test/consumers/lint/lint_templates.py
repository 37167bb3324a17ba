"""cfn-lint and checkov on synthesized templates, with the gates this project holds them to.

    python lint_templates.py [--expect-failures] PATH...

Each PATH is a template or a directory searched for *.template.json (a cdk.out, nested assemblies
included). Fails (exit 1) when:
  - cfn-lint reports an error (warnings and informational findings are printed, not fatal);
  - checkov fails any check on an AWS::KMS::* or AWS::Bedrock::* resource, on a resource of the
    library's governance constructs (the demo's KeyMonitoring, EncryptionRule, ComplianceDashboard and GuardrailHook:
    their inherent findings are skipped in the template with a reason), or CKV_AWS_7 (rotation) or
    CKV_AWS_33 (wildcard principal) anywhere;
  - checkov did not evaluate and pass CKV_AWS_7 and CKV_AWS_33 on every AWS::KMS::Key (so a checkov
    that silently stops checking keys cannot pass).
Other checkov failures (for example on the demo's Lambda functions) are listed, not fatal.

--expect-failures inverts the verdict for the fixtures in ./fixtures: the run must find a cfn-lint
error and fail both KMS checks on every key, proving the gates can fail.
"""
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

KEY_CHECKS = {"CKV_AWS_7", "CKV_AWS_33"}
GATED_TYPES = ("AWS::KMS::", "AWS::Bedrock::")
# The construct ids the demo gives the governance constructs: their resources' logical ids start so.
LIBRARY_CONSTRUCTS = ("KeyMonitoring", "EncryptionRule", "ComplianceDashboard", "GuardrailHook")


def find_templates(paths):
    templates = []
    for path in map(Path, paths):
        if path.is_dir():
            templates.extend(sorted(path.rglob("*.template.json")))
        elif path.is_file():
            templates.append(path)
        else:
            sys.exit(f"no such template or directory: {path}")
    if not templates:
        sys.exit(f"no *.template.json under {' '.join(paths)}")
    names = Counter(template.name for template in templates)
    if max(names.values()) > 1:  # checkov's results name files unreliably: they are matched by name
        sys.exit(f"templates with the same file name: {[name for name, n in names.items() if n > 1]}")
    return templates


def kms_keys(templates):
    """(template, logical id) of every AWS::KMS::Key."""
    keys = set()
    for template in templates:
        for logical_id, resource in json.loads(template.read_text()).get("Resources", {}).items():
            if resource.get("Type") == "AWS::KMS::Key":
                keys.add((template.resolve(), logical_id))
    return keys


def run_cfn_lint(templates):
    """Returns the number of errors."""
    result = subprocess.run(
        ["cfn-lint", "--format", "json", "--non-zero-exit-code", "none", "--", *map(str, templates)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        sys.exit(f"cfn-lint crashed (exit {result.returncode}):\n{result.stderr}")
    matches = json.loads(result.stdout or "[]")
    levels = Counter(match["Level"] for match in matches)
    print(f"cfn-lint: {len(templates)} templates, {levels['Error']} errors, {levels['Warning']} warnings, "
          f"{levels['Informational']} informational")
    for match in matches:
        start = match["Location"]["Start"]
        print(f"  {match['Level']:<13} {match['Rule']['Id']:<6} {Path(match['Filename']).name}:{start['LineNumber']}"
              f"  {match['Message']}")
    return levels["Error"]


def run_checkov(templates):
    """Returns (gated failures, passed key checks as {(template, logical id, check id)}, other failures)."""
    with tempfile.TemporaryDirectory() as out:
        args = ["checkov", "--framework", "cloudformation", "--skip-download", "--soft-fail",
                "--output", "json", "--output-file-path", out]
        for template in templates:
            args += ["--file", str(template)]
        result = subprocess.run(args, capture_output=True, text=True, check=False)
        report_file = Path(out, "results_json.json")
        if result.returncode != 0 or not report_file.exists():
            sys.exit(f"checkov crashed (exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        reports = json.loads(report_file.read_text())
    reports = reports if isinstance(reports, list) else [reports]
    by_name = {template.name: template.resolve() for template in templates}

    gated, other, key_passes = [], [], set()
    summary = Counter()
    for report in reports:
        if not isinstance(report.get("results"), dict):  # an empty report when nothing matched
            continue
        summary.update({k: v for k, v in report["summary"].items() if isinstance(v, int)})
        for check in report["results"].get("passed_checks", []):
            resource_type, _, logical_id = check["resource"].partition(".")
            if resource_type == "AWS::KMS::Key" and check["check_id"] in KEY_CHECKS:
                key_passes.add((by_name.get(Path(check["file_path"]).name), logical_id, check["check_id"]))
        for check in report["results"].get("failed_checks", []):
            line = f"{check['check_id']:<12} {check['resource']:<60} {Path(check['file_path']).name}  {check['check_name']}"
            logical_id = check["resource"].partition(".")[2]
            if check["resource"].startswith(GATED_TYPES) or check["check_id"] in KEY_CHECKS or logical_id.startswith(LIBRARY_CONSTRUCTS):
                gated.append(line)
            else:
                other.append(line)
    print(f"checkov: {summary['resource_count']} resources, {summary['passed']} checks passed, "
          f"{summary['failed']} failed ({len(gated)} on keys, guardrails or governance resources), "
          f"{summary.get('skipped', 0)} skipped with a reason in the template, {summary['parsing_errors']} parsing errors")
    for line in gated:
        print(f"  FAILED (gated)    {line}")
    for line in other:
        print(f"  failed (not gated) {line}")
    return gated, key_passes, summary["parsing_errors"]


def main(argv):
    expect_failures = "--expect-failures" in argv
    templates = find_templates([arg for arg in argv if arg != "--expect-failures"])
    print("templates:")
    for template in templates:
        print(f"  {template}")

    cfn_errors = run_cfn_lint(templates)
    gated, key_passes, parsing_errors = run_checkov(templates)
    keys = kms_keys(templates)
    verified = {key for key in keys if all((*key, check) in key_passes for check in KEY_CHECKS)}
    print(f"KMS keys: {len(keys)}; CKV_AWS_7 and CKV_AWS_33 both passed on {len(verified)}")

    if expect_failures:
        problems = []
        if cfn_errors == 0:
            problems.append("cfn-lint found no error in the fixtures")
        if not keys or key_passes:
            problems.append(f"checkov passed a KMS check on a non-compliant fixture key: {sorted(key_passes)}")
        if len(gated) < 2 * len(keys):
            problems.append(f"checkov reported {len(gated)} gated failures, want CKV_AWS_7 and CKV_AWS_33 on each key")
        for problem in problems:
            print(f"SELF-TEST FAILED: {problem}")
        if not problems:
            print("self-test: the gates catch a cfn-lint error and both failed KMS checks on every fixture key")
        return 1 if problems else 0

    problems = []
    if cfn_errors:
        problems.append(f"cfn-lint: {cfn_errors} errors")
    if gated:
        problems.append(f"checkov: {len(gated)} failed checks on keys, guardrails or governance resources")
    for template, logical_id in sorted(keys - verified):
        problems.append(f"checkov did not pass both CKV_AWS_7 and CKV_AWS_33 on {template.name}#{logical_id}")
    if parsing_errors:
        problems.append(f"checkov could not parse {parsing_errors} templates")
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print("lint: no cfn-lint error; checkov passed CKV_AWS_7 and CKV_AWS_33 on every key, "
              "no failed check on a key, guardrail or governance resource")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
