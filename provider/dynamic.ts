/**
 * The objects handed to `dynamic.Resource`, one per resource type.
 *
 * Pulumi serializes this object into the state of every resource and re-runs it in the
 * dynamic-provider host for refresh, update and delete. So each method is a one-line
 * delegation that `require`s the implementation by package name at run time: the serialized
 * text stays small (the serializer wraps every method in ~170 bytes) and identical for every
 * instance, holds no credentials and no copy of our code, and a newer installed pulumi-boosted
 * serves old stacks. `pulumi-boosted/dynamic` and the names it exports (`Organization.check`,
 * …) are a contract with every deployed stack: never rename them.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the require must happen in the host, at run time */
/* eslint-disable @typescript-eslint/no-unsafe-argument -- the host passes untyped property bags; the handlers validate them */
import type * as pulumi from "@pulumi/pulumi";
import type * as handlers from "./handlers";

type H = typeof handlers;

export const organizationProvider: pulumi.dynamic.ResourceProvider = {
  configure: (r) => (require("pulumi-boosted/dynamic") as H).configure(r),
  check: (o, n) => (require("pulumi-boosted/dynamic") as H).Organization.check(o, n),
  diff: (i, o, n) => (require("pulumi-boosted/dynamic") as H).Organization.diff(i, o, n),
  create: (n) => (require("pulumi-boosted/dynamic") as H).Organization.create(n),
  read: (i, p) => (require("pulumi-boosted/dynamic") as H).Organization.read(i, p),
  update: (i, o, n) => (require("pulumi-boosted/dynamic") as H).Organization.update(i, o, n),
  delete: (i, p) => (require("pulumi-boosted/dynamic") as H).Organization.delete(i, p),
};

export const workspaceProvider: pulumi.dynamic.ResourceProvider = {
  configure: (r) => (require("pulumi-boosted/dynamic") as H).configure(r),
  check: (o, n) => (require("pulumi-boosted/dynamic") as H).Workspace.check(o, n),
  diff: (i, o, n) => (require("pulumi-boosted/dynamic") as H).Workspace.diff(i, o, n),
  create: (n) => (require("pulumi-boosted/dynamic") as H).Workspace.create(n),
  read: (i, p) => (require("pulumi-boosted/dynamic") as H).Workspace.read(i, p),
  update: (i, o, n) => (require("pulumi-boosted/dynamic") as H).Workspace.update(i, o, n),
  delete: (i, p) => (require("pulumi-boosted/dynamic") as H).Workspace.delete(i, p),
};

export const userProvider: pulumi.dynamic.ResourceProvider = {
  configure: (r) => (require("pulumi-boosted/dynamic") as H).configure(r),
  check: (o, n) => (require("pulumi-boosted/dynamic") as H).User.check(o, n),
  diff: (i, o, n) => (require("pulumi-boosted/dynamic") as H).User.diff(i, o, n),
  create: (n) => (require("pulumi-boosted/dynamic") as H).User.create(n),
  read: (i, p) => (require("pulumi-boosted/dynamic") as H).User.read(i, p),
  update: (i, o, n) => (require("pulumi-boosted/dynamic") as H).User.update(i, o, n),
  delete: (i, p) => (require("pulumi-boosted/dynamic") as H).User.delete(i, p),
};
