// Checks that every relative link in README.md and docs/ (Markdown links, reference definitions
// and HTML src/href attributes) names a file or folder that exists inside the repository. Links
// with a scheme (https:, mailto:) and in-page anchors are not checked; fenced code blocks are not
// links, but a code span that is a relative path is held to the rule too: one going up (`../x.md`)
// must name something that exists inside the repository; one that starts with `./` (a data folder
// made at run time) only must stay inside it. Prints each broken
// link as file:line and exits 1 when there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The link targets of one Markdown text, with their line numbers, outside code. */
export function linkTargets(text) {
  const targets = [];
  let fence = null;
  text.split('\n').forEach((rawLine, index) => {
    const opener = /^\s*(```+|~~~+)/.exec(rawLine);
    if (opener) {
      if (fence === null) fence = opener[1];
      else if (opener[1].startsWith(fence)) fence = null;
      return;
    }
    if (fence !== null) return;
    for (const match of rawLine.matchAll(/`(\.{1,2}\/[^`\s]+)`/g))
      targets.push({ target: match[1], line: index + 1, codeSpan: true });
    const line = rawLine.replace(/(`+)[^`]*?\1/g, '');
    const patterns = [
      /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, // [text](target "title")
      /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/g, // [ref]: target
      /\b(?:src|href)\s*=\s*"([^"]+)"/g, // <img src="…">
    ];
    for (const pattern of patterns)
      for (const match of line.matchAll(pattern)) targets.push({ target: match[1], line: index + 1 });
  });
  return targets;
}

/** Why a link from `file` to `target` is broken, or null when it resolves inside the repository. */
export function brokenLink(file, target, codeSpan = false) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return null;
  const path = decodeURIComponent(target.split('#')[0].split('?')[0]);
  if (path === '') return null;
  const resolved = path.startsWith('/') ? join(root, path) : resolve(dirname(file), path);
  if (resolved !== root && !resolved.startsWith(root + sep)) return 'points outside the repository';
  if (existsSync(resolved) || (codeSpan && !target.startsWith('../'))) return null;
  return 'does not exist';
}

function main() {
  const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))].filter((f) => existsSync(f));
  let broken = 0;
  let checked = 0;
  for (const file of files) {
    for (const { target, line, codeSpan } of linkTargets(readFileSync(file, 'utf8'))) {
      checked += 1;
      const reason = brokenLink(file, target, codeSpan);
      if (reason === null) continue;
      broken += 1;
      console.error(`${relative(root, file)}:${line}: ${target} ${reason}`);
    }
  }
  if (broken > 0) {
    console.error(`docs:check: ${broken} broken of ${checked} links in ${files.length} files`);
    process.exit(1);
  }
  console.log(`docs:check: ${checked} links in ${files.length} files resolve inside the repository`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
