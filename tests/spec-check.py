#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""spec-check SCHEMA SPEC HEADER

Validate the YNL spec SPEC (doc/kvm_lstar.yaml) against the kernel's
genetlink schema SCHEMA (Documentation/netlink/genetlink.yaml), then check
that every command, attribute, enum entry, group and constant it names has
the same C name and value in the uAPI header HEADER, and that the header
has nothing the spec lacks.  Prints one line per check, and a summary.
"""
import re
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


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def header_enums(path):
    """Every enumerator of the header with its value, plus #defines."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    values = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, flags=re.S):
        nxt = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"(\w+)\s*(?:=\s*(.+))?$", item)
            if not m:
                continue
            name, expr = m.groups()
            if expr:
                expr = expr.strip()
                m2 = re.match(r"(\w+)\s*-\s*1$", expr)
                if m2 and m2.group(1) in values:
                    nxt = values[m2.group(1)] - 1
                else:
                    nxt = values[expr] if expr in values else int(expr, 0)
            values[name] = nxt
            nxt += 1
    for name, val in re.findall(r"^#define[ \t]+(\w+)[ \t]+(\S+)", text, flags=re.M):
        values[name] = val.strip('"')
        if re.match(r"^(0x[0-9a-fA-F]+|\d+)$", val):
            values[name] = int(val, 0)
    return values


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    schema = yaml.safe_load(open(sys.argv[1]))
    spec = yaml.safe_load(open(sys.argv[2]))
    hdr = header_enums(sys.argv[3])

    try:
        jsonschema.validate(spec, schema)
        check(True, "")
    except jsonschema.ValidationError as e:
        check(False, "schema: %s (at %s)" % (e.message, "/".join(map(str, e.absolute_path))))

    family = spec["name"]
    check(hdr.get("KVM_LSTAR_GENL_NAME") == family,
          "family name %r, header says %r" % (family, hdr.get("KVM_LSTAR_GENL_NAME")))

    seen = set()
    for d in spec.get("definitions", []):
        if d["type"] == "const":
            n = c_name(family + "-", d["name"])
            seen.add(n)
            check(hdr.get(n) == d["value"], "const %s: %r, header %r" % (n, d["value"], hdr.get(n)))
            continue
        v = d.get("value-start", 0)
        for e in d["entries"]:
            en = e["name"] if isinstance(e, dict) else e
            n = c_name(family + "-" + d["name"] + "-", en)
            seen.add(n)
            check(hdr.get(n) == v, "enum %s = %d, header %r" % (n, v, hdr.get(n)))
            v += 1

    def numbered(what, prefix, items):
        """YNL numbering: from 1, or an item's own value; then FOO_MAX."""
        v = 1
        for item in items:
            v = item.get("value", v)
            n = c_name(prefix, item["name"])
            seen.add(n)
            check(hdr.get(n) == v, "%s %s = %d, header %r" % (what, n, v, hdr.get(n)))
            v += 1
        check(hdr.get(c_name(prefix, "max")) == v - 1,
              "%s max %d, header %r" % (what, v - 1, hdr.get(c_name(prefix, "max"))))

    for aset in spec["attribute-sets"]:
        numbered("attribute", aset.get("name-prefix", family + "-" + aset["name"] + "-a-"),
                 aset["attributes"])
    ops = spec["operations"]
    numbered("command", ops.get("name-prefix", family + "-cmd-"), ops["list"])

    groups = [g["name"] for g in spec.get("mcast-groups", {}).get("list", [])]
    check(groups == [hdr.get("KVM_LSTAR_MCGRP_EVENTS")],
          "multicast groups %r, header %r" % (groups, hdr.get("KVM_LSTAR_MCGRP_EVENTS")))

    # Nothing in the header that the spec does not describe.
    for n in hdr:
        if n.startswith("__") or n.endswith("_MAX") or n.endswith("_UNSPEC") or \
           n in ("KVM_LSTAR_GENL_NAME", "KVM_LSTAR_GENL_VERSION", "KVM_LSTAR_MCGRP_EVENTS") or \
           n.startswith("_UAPI"):
            continue
        check(n in seen, "%s is in the header but not in the spec" % n)

    print("spec: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
