// Prints the `__provider` strings that the Pulumi SDK really produces for each resource type
// of the built package, as JSON: { Organization: "...", Workspace: "...", User: "..." }.
// Run in its own Node process because Pulumi's closure serializer inspects live functions
// through the V8 inspector, which jest's module sandbox would get in the way of.
"use strict";
const pulumi = require("@pulumi/pulumi");
const boosted = require("pulumi-boosted");

const captured = {};
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      const type = args.type.split(":").pop();
      (captured[type] ??= []).push(args.inputs.__provider);
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "serialize",
  "test",
  false,
);

const org = new boosted.Organization("o1", { name: "One" });
new boosted.Organization("o2", { name: "Two", externalOrgId: "two" });
const ws = new boosted.Workspace("w1", { orgId: org.id });
new boosted.Workspace("w2", { orgId: org.id, name: "Two" });
new boosted.User("u1", { workspaceId: ws.id });
new boosted.User("u2", { workspaceId: ws.id, email: "two@example.com" });

setTimeout(() => process.stdout.write(JSON.stringify(captured)), 500);
