import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Document, parseDocument } from 'yaml';
import type { Config } from './config.js';
import { parseConfig } from './load.js';

/**
 * Edits of the config file in place: the YAML document is edited (comments, order and
 * formatting survive), validated as a whole config, and only then replaces the file atomically.
 */

export function readDocument(file: string): Document {
  const text = readFileSync(file, 'utf8');
  parseConfig(text, file); // refuse to edit a file that is already invalid
  return parseDocument(text);
}

export function writeDocument(file: string, doc: Document): Config {
  const text = doc.toString();
  const config = parseConfig(text, file); // nothing is written unless the result is valid
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
  return config;
}
