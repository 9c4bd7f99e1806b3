"""Rewrites Herald's OpenAPI document into what openapi-python-client can take.

Usage: python openapi_fixup.py IN.json OUT.json

The document Herald serves is valid OpenAPI 3.1; these three rewrites keep
its meaning and only work around what the generator (pinned in
requirements.txt) cannot parse or would type badly. The TypeScript SDK is
generated from the document as served. Each rewrite fails loudly when what
it rewrites is gone, so that it is dropped once the document changes.

1. A tuple, `{"prefixItems": [A, A], "items": false}` (RequestView.headers,
   a list of [name, value] pairs): the generator's model refuses a boolean
   schema (`items: false`) and fails on the whole document. Rewritten as
   `{"items": A, "minItems": 2, "maxItems": 2}` when every element has the
   same schema.
2. EndpointProfile, `allOf: [Profile, {properties: {app_rate_limit: {type:
   null}}}]`: the generator cannot merge a property it already has from
   Profile (`None | RateLimit can't be merged with None`) and drops the
   schema. Rewritten as a copy of Profile with that one property replaced.
3. `ListResponse_X.data.items` is an inline copy of component X: replaced
   by a `$ref` to it, so that a page's items are the generator's `X` class
   rather than a duplicate class per list.
"""

import copy
import json
import sys


def tuples(node, found):
    if isinstance(node, dict):
        if node.get("items") is False and "prefixItems" in node:
            items = node.pop("prefixItems")
            if any(i != items[0] for i in items):
                raise SystemExit("a tuple whose elements differ: rewrite 1 needs extending")
            node["items"] = items[0]
            node.setdefault("minItems", len(items))
            node.setdefault("maxItems", len(items))
            found.append(1)
        for value in node.values():
            tuples(value, found)
    elif isinstance(node, list):
        for value in node:
            tuples(value, found)


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    schemas = doc["components"]["schemas"]

    found = []
    tuples(doc, found)
    if not found:
        raise SystemExit("rewrite 1: no tuple left; drop it")

    profile = schemas.get("EndpointProfile", {})
    parts = profile.get("allOf", [])
    if len(parts) != 2 or parts[0] != {"$ref": "#/components/schemas/Profile"}:
        raise SystemExit("rewrite 2: EndpointProfile is no longer allOf [Profile, {...}]; drop or adapt it")
    merged = copy.deepcopy(schemas["Profile"])
    merged.pop("examples", None)
    merged["description"] = profile.get("description", merged.get("description"))
    merged["properties"].update(parts[1]["properties"])
    schemas["EndpointProfile"] = merged

    lists = 0
    for name, schema in schemas.items():
        if name.startswith("ListResponse_"):
            item = name[len("ListResponse_") :]
            data = schema["properties"]["data"]
            if data.get("items") == schemas.get(item):
                data["items"] = {"$ref": f"#/components/schemas/{item}"}
                lists += 1
    if not lists:
        raise SystemExit("rewrite 3: no inline list item left; drop it")

    with open(dst, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
