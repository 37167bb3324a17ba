#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './tenant-guardrails';

const app = new App();
buildExampleApp(app);
app.synth();
