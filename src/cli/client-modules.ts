// `kinesim run --client role=./module.js`: a user's module in the loop. Reads the flag's
// `role[:name]=path` form, imports the module (before the virtual clock starts: importing is real
// I/O) and finds its function, with a clear error when the flag or the module is not right.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ClientSpec } from "../clients/run-clients.js";
import { UserInputError } from "./errors.js";

/** Roles a client module can play. */
export const CLIENT_ROLES = ["producer", "consumer", "lambda"] as const;

/** One parsed --client flag. */
export interface ClientFlag {
  role: (typeof CLIENT_ROLES)[number];
  /** The scenario producer or consumer it stands in for (default: the first of its kind). */
  name?: string;
  path: string;
}

/** Parses `role[:name]=path`. */
export function parseClientFlag(text: string): ClientFlag {
  const match = /^([a-z]+)(?::([^=]+))?=(.+)$/.exec(text);
  const role = match?.[1] as ClientFlag["role"] | undefined;
  if (!match || !role || !CLIENT_ROLES.includes(role))
    throw new UserInputError(
      `--client ${text}: expected ${CLIENT_ROLES.map((r) => `${r}[:name]=./module.js`).join(", ")}`,
    );
  return { role, ...(match[2] ? { name: match[2] } : {}), path: match[3]! };
}

/** The function a module exports for a role: a named export of the role's name, or the default. */
async function functionOf(flag: ClientFlag): Promise<(...args: never[]) => unknown> {
  const file = resolve(flag.path);
  if (!existsSync(file)) throw new UserInputError(`--client ${flag.role}=${flag.path}: no such file ${file}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UserInputError(
      `--client ${flag.role}=${flag.path}: the module could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const exportName = flag.role === "lambda" ? "handler" : flag.role;
  const fn = module[exportName] ?? module.default;
  if (typeof fn !== "function")
    throw new UserInputError(
      `--client ${flag.role}=${flag.path}: expected the module to export a function named "${exportName}" or a default function; it exports ${Object.keys(module).join(", ") || "nothing"}`,
    );
  return fn as (...args: never[]) => unknown;
}

/** Loads the modules of the --client flags into client specs. */
export async function loadClientModules(flags: readonly string[]): Promise<ClientSpec[]> {
  const specs: ClientSpec[] = [];
  for (const text of flags) {
    const flag = parseClientFlag(text);
    const fn = await functionOf(flag);
    const label = `${flag.role}${flag.name ? `:${flag.name}` : ""}=${flag.path}`;
    switch (flag.role) {
      case "producer":
        specs.push({
          role: "producer",
          run: fn as never,
          label,
          ...(flag.name ? { producer: flag.name } : {}),
        });
        break;
      case "consumer":
        specs.push({ role: "consumer", run: fn as never, label });
        break;
      case "lambda":
        specs.push({
          role: "lambda",
          handler: fn as never,
          label,
          ...(flag.name ? { consumer: flag.name } : {}),
        });
        break;
      default: {
        const never: never = flag.role;
        throw new Error(`unknown client role ${String(never)}`);
      }
    }
  }
  return specs;
}
