#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""spec-check SCHEMA-DIR SPEC

Validate the YNL spec SPEC (doc/kvm_lstar.yaml) against the kernel's schema
for its protocol, SCHEMA-DIR/<protocol>.yaml (Documentation/netlink/), then
check what the schema cannot: that every attribute an operation names is in
its attribute set, every enum an attribute names is defined, and every group
an event goes to is declared.  Prints one line per failed check, and a
summary.

The uAPI header and the module's policy are generated from SPEC
(scripts/ynl-regen.sh); `make lint` checks that they are up to date.
"""
import os
import sys

import jsonschema
import yaml

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec = yaml.safe_load(open(sys.argv[2]))
    proto = spec.get("protocol", "genetlink")
    path = os.path.join(sys.argv[1], proto + ".yaml")
    if not os.path.exists(path):
        check(False, "protocol %r: no schema %s" % (proto, path))
    else:
        try:
            jsonschema.validate(spec, yaml.safe_load(open(path)))
            check(True, "")
        except jsonschema.ValidationError as e:
            check(False, "%s schema: %s (at %s)" %
                  (proto, e.message, "/".join(map(str, e.absolute_path))))

    sets = {s["name"]: {a["name"]: a for a in s.get("attributes", [])}
            for s in spec.get("attribute-sets", [])}
    enums = {d["name"] for d in spec.get("definitions", []) if d.get("type") != "const"}
    groups = {g["name"] for g in spec.get("mcast-groups", {}).get("list", [])}

    for name, attrs in sets.items():
        for a in attrs.values():
            if "enum" in a:
                check(a["enum"] in enums, "attribute %s/%s: no enum %r" % (name, a["name"], a["enum"]))

    for op in spec.get("operations", {}).get("list", []):
        aset = op.get("attribute-set")
        if aset is None:
            continue
        check(aset in sets, "op %s: no attribute set %r" % (op["name"], aset))
        lists = [("event", op["event"])] if "event" in op else []
        for mode in ("do", "dump"):
            for part in ("request", "reply"):
                if part in op.get(mode, {}):
                    lists.append(("%s %s" % (mode, part), op[mode][part]))
        for what, msg in lists:
            for a in msg.get("attributes", []):
                check(a in sets.get(aset, {}),
                      "op %s, %s: no attribute %r in %r" % (op["name"], what, a, aset))
        if "mcgrp" in op:
            check(op["mcgrp"] in groups, "op %s: no group %r" % (op["name"], op["mcgrp"]))

    print("spec: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
