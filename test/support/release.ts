import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../../src/paths.js'

// An earlier release checked out of git, runnable as this checkout's CLI is (from source, through
// tsx): the release's files from `git archive`, and this checkout's node_modules. Dependencies the
// release pins at other versions than this checkout has (or that it no longer has) are installed
// beside them, alone: a few packages from npm's cache or the registry, not a whole `npm ci`.

const currentModules = path.join(projectRoot, 'node_modules')

export function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8' }).trim()
  } catch (error) {
    throw new Error(
      `git ${args.join(' ')} failed: this needs the repository's history (a clone, not a shallow one or an export)`,
      { cause: error },
    )
  }
}

export function isAncestor(commit: string, of: string): boolean {
  try {
    execFileSync('git', ['merge-base', '--is-ancestor', commit, of], { cwd: projectRoot })
    return true
  } catch {
    return false
  }
}

export interface Release {
  /** The release's root: pass it to runCli and startCli. */
  readonly root: string
  /** The packages installed for it alone (name@version), beside this checkout's. */
  readonly ownPackages: readonly string[]
  remove(): Promise<void>
}

export async function buildRelease(commit: string): Promise<Release> {
  const root = await mkdtemp(path.join(os.tmpdir(), `attest-release-${commit.slice(0, 8)}-`))
  const remove = () => rm(root, { recursive: true, force: true })
  try {
    const archive = path.join(root, 'release.tar')
    git('archive', '--format=tar', '-o', archive, commit)
    execFileSync('tar', ['-xf', archive, '-C', root])
    await rm(archive)
    const ownPackages = await packagesToInstall(root)
    if (ownPackages.length === 0) await symlink(currentModules, path.join(root, 'node_modules'))
    else await installBeside(root, ownPackages)
    return { root, ownPackages, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

/** The release's dependencies (exact versions, by the house rule) this checkout lacks. */
async function packagesToInstall(root: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
  }
  const wanted = Object.entries(manifest.dependencies ?? {})
  const installed = await Promise.all(
    wanted.map(([name]) => installedVersion(currentModules, name)),
  )
  return wanted
    .filter(([, version], index) => installed[index] !== version)
    .map(([name, version]) => `${name}@${version}`)
}

async function installedVersion(modules: string, name: string): Promise<string | undefined> {
  const file = path.join(modules, name, 'package.json')
  if (!existsSync(file)) return undefined
  return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version
}

/**
 * Installs `packages` into the release's own node_modules, then links every package this
 * checkout has at the same version (or that the release did not need) to this checkout's copy:
 * one copy of graphql for everybody, or graphql-js refuses schemas from "another realm".
 */
async function installBeside(root: string, packages: string[]): Promise<void> {
  const scratch = path.join(root, '.own-packages')
  await mkdir(scratch)
  await writeFile(path.join(scratch, 'package.json'), '{ "private": true }\n')
  execFileSync(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--legacy-peer-deps',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...packages,
    ],
    { cwd: scratch, stdio: 'ignore' },
  )
  const modules = path.join(root, 'node_modules')
  await rename(path.join(scratch, 'node_modules'), modules)
  const own = new Set(await packageNames(modules))
  for (const name of own) {
    const current = await installedVersion(currentModules, name)
    if (current !== undefined && current === (await installedVersion(modules, name))) {
      await rm(path.join(modules, name), { recursive: true })
      own.delete(name)
    }
  }
  for (const name of await packageNames(currentModules)) {
    if (own.has(name)) continue
    await mkdir(path.dirname(path.join(modules, name)), { recursive: true })
    await symlink(path.join(currentModules, name), path.join(modules, name))
  }
}

/** The packages in a node_modules folder: name, or @scope/name. */
async function packageNames(modules: string): Promise<string[]> {
  const names: string[] = []
  for (const entry of await readdir(modules)) {
    if (entry.startsWith('.')) continue
    if (!entry.startsWith('@')) names.push(entry)
    else
      for (const scoped of await readdir(path.join(modules, entry)))
        names.push(`${entry}/${scoped}`)
  }
  return names
}
