import { readFileSync } from 'node:fs';
import { standaloneEnvExample } from './env-example.util.js';

describe('.env.example', () => {
  it('documents every variable, as the config definitions describe them', () => {
    expect(readFileSync('.env.example', 'utf8')).toBe(standaloneEnvExample());
  });
});
