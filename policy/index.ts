/**
 * The Boosted policy pack. The policies live in `policies.ts` so they can be tested on their own;
 * this file only serves them (through `@pulumi/policy`, inside Pulumi's analyzer host).
 *
 *   pulumi preview --policy-pack ./policy --policy-pack-config policy-config.json
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("boosted", { policies });
