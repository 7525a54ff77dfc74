import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Document, parseDocument } from 'yaml';
import type { Config } from './config.js';
import { parseConfig } from './load.js';

/**
 * Edits of the config file in place: the YAML document is edited (comments, order and
 * formatting survive), validated as a whole config, and only then replaces the file atomically.
 */

export function readDocument(file: string): Document {
  return readSource(file).doc;
}

/** The file's text and its document, for edits of the text guided by the document's ranges. */
export function readSource(file: string): { text: string; doc: Document } {
  const text = readFileSync(file, 'utf8');
  parseConfig(text, file); // refuse to edit a file that is already invalid
  return { text, doc: parseDocument(text) };
}

export function writeDocument(file: string, doc: Document): Config {
  return writeText(file, doc.toString());
}

/** Replaces the file with this text, only if it is a valid config. */
export function writeText(file: string, text: string): Config {
  const config = parseConfig(text, file); // nothing is written unless the result is valid
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
  return config;
}
