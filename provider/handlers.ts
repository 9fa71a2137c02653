/**
 * `pulumi-boosted/dynamic`: the entry point the serialized `__provider` of every resource
 * requires inside Pulumi's dynamic-provider host (see `dynamic.ts`).
 *
 * Its shape — `configure`, and `Organization`/`Workspace`/`User` each with `check`, `diff`,
 * `create`, `read`, `update` and `delete` — is a contract with every stack ever deployed.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as impl from "./runtime";
import type { KindSpec } from "./kinds";

type Props = Record<string, unknown>;

/** The dynamic-provider methods of one resource type. */
export interface TypeHandlers {
  check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Props): Promise<void>;
}

function handlersFor(type: KindSpec["type"]): TypeHandlers {
  return {
    check: async (olds, news) => impl.check(type, olds, news),
    diff: async (id, olds, news) => impl.diff(type, id, olds, news),
    create: (inputs) => impl.create(type, inputs),
    read: (id, props) => impl.read(type, id, props),
    update: (id, olds, news) => impl.update(type, id, olds, news),
    delete: (id, props) => impl.remove(type, id, props),
  };
}

/** Receives the stack config or an explicit Provider's inputs. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  impl.configure(req);
}

export const Organization = handlersFor("Organization");
export const Workspace = handlersFor("Workspace");
export const User = handlersFor("User");
