// What a drill needs from the host when it runs in a container, and nothing more: the files it names (copied in
// at the same absolute paths, so relative paths in the drill file resolve as here), the files and folders of an
// existing backup (mounted read-only), the environment variables its tools read, and the network it must reach.
import { existsSync, statSync } from 'node:fs';
import { isSourceDrill, type AnyDrill } from '../drill/drill.js';
import { createSource } from '../tools/registry.js';
import { EnvironmentError } from '../errors.js';
import { cacheDir } from '../providers/local/postgres-cache.js';
import { READ_ONLY_BY } from '../exec/read-only.js';

export interface ContainerInputs {
  /** Host files copied into the container at the same path (tar stream through the engine). */
  files: string[];
  /** Host files and folders mounted read-only at the same path: an existing backup the drill restores. */
  readOnly: string[];
  /** Variables the drill's tools read (keys, cipher passes among them): never in the container's configuration. */
  env: Record<string, string>;
  /**
   * none: the drill reaches nothing outside its container (no network, its loopback only); remote: an endpoint elsewhere
   * (a bridge network of its own); loopback: an endpoint on this host's 127.0.0.1 (the host's network).
   */
  reach: 'none' | 'remote' | 'loopback';
  /** Owner of an existing backup's files (the first of its paths): the sandbox's server user takes these ids, so it reads what it may here. */
  owner?: { uid: number; gid: number } | undefined;
}

/** Variables forwarded by prefix (cloud and pgBackRest settings) or by name. */
const FORWARDED_PREFIXES = ['AWS_', 'AZURE_', 'PGBACKREST_'];
const FORWARDED = ['PGDRILL_PROGRESS_SECONDS', 'NO_COLOR', 'TZ'];
/** Variables that name a file the tools read: the file goes in too. */
const FILE_VARIABLES = ['AWS_CA_BUNDLE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Host of an URL, a bare host[:port], or a libpq connection string (URL or key=value). */
function hostOf(endpoint: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
    try {
      return new URL(endpoint.replace(/^postgres(ql)?:/i, 'http:')).hostname;
    } catch {
      return undefined;
    }
  }
  const kv = /(?:^|\s)host\s*=\s*'?([^\s']+)/.exec(endpoint);
  if (kv) return kv[1];
  return endpoint.includes('=') ? undefined : endpoint.split(':')[0];
}

/** The endpoints a drill reaches besides its source's tools: its own object storage, a live source. */
function endpointsOf(drill: AnyDrill, env: NodeJS.ProcessEnv): string[] {
  if (!isSourceDrill(drill)) return [drill.backup.repo?.endpoint, drill.backup.cloud?.endpoint].filter((e): e is string => Boolean(e));
  return drill.source.live ? [env[drill.source.live.conninfo.slice('env:'.length)] ?? ''].filter(Boolean) : [];
}

export function containerInputs(drill: AnyDrill, env: NodeJS.ProcessEnv = process.env): ContainerInputs {
  const files = [drill.file, ...(drill.policy ? [drill.policy.file] : [])];
  const forwarded: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (FORWARDED.includes(k) || FORWARDED_PREFIXES.some((p) => k.startsWith(p)))) forwarded[k] = v;
  }
  for (const k of FILE_VARIABLES) if (env[k] && existsSync(env[k] as string)) files.push(env[k] as string);

  let readOnly: string[] = [];
  const endpoints = endpointsOf(drill, env);
  if (isSourceDrill(drill)) {
    const source = createSource(drill.source);
    try {
      readOnly = source.inputPaths().filter((p) => existsSync(p));
      endpoints.push(...source.endpoints());
    } catch (error) {
      throw new EnvironmentError(`cannot read what ${drill.name}'s source names, to mount it into the container: ${(error as Error).message}`, 'the user running pgdrill must be able to read the source\'s configuration (the repository itself is read inside, as its owner), or use --provider local', { cause: error });
    }
    // Server binaries of other majors (`pgdrill postgres install <major>`): the image has 15 only. Linux x64
    // binaries run in the image; a macOS cache would not.
    const cache = cacheDir(env);
    if (process.platform === 'linux' && process.arch === 'x64' && existsSync(cache)) {
      readOnly.push(cache);
      forwarded['PGDRILL_CACHE_DIR'] = cache;
    }
    if (drill.source.live) forwarded[drill.source.live.conninfo.slice('env:'.length)] = env[drill.source.live.conninfo.slice('env:'.length)] ?? '';
    // The pgdrill inside reports the engine's read-only mounts as what holds the user's paths read-only.
    if (readOnly.length > 0) forwarded[READ_ONLY_BY] = 'container';
  } else {
    files.push(...drill.fixturePaths);
    if (drill.backup.repo?.caFile) files.push(drill.backup.repo.caFile);
  }
  const hosts = endpoints.map(hostOf).filter((h): h is string => Boolean(h));
  const reach = hosts.some(isLoopback) ? 'loopback' : hosts.length > 0 ? 'remote' : 'none';
  const sourcePaths = readOnly.filter((p) => p !== forwarded['PGDRILL_CACHE_DIR']);
  const owned = sourcePaths.find((p) => statSync(p).isDirectory()) ?? sourcePaths[0];
  const st = owned ? statSync(owned) : undefined;
  return {
    files: [...new Set(files)].filter((f) => existsSync(f) && statSync(f).isFile()),
    readOnly,
    env: forwarded,
    reach,
    owner: st && st.uid !== 0 ? { uid: st.uid, gid: st.gid } : undefined,
  };
}
