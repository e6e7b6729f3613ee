#!/usr/bin/env python3
"""validate_features.py SCHEMA_DIR FILE — check a `features` document against
the runtime-spec's features-schema.json.  Exit 0 valid, 1 invalid, 77 when
python3-jsonschema is not available (the caller skips)."""
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(77)

schema_dir, doc_file = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(schema_dir, 'features-schema.json')))
doc = json.load(open(doc_file))
cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
try:  # jsonschema >= 4.18
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
    reg = Registry()
    for p in glob.glob(os.path.join(schema_dir, '*.json')):
        res = Resource.from_contents(json.load(open(p)), default_specification=DRAFT4)
        reg = reg.with_resource(os.path.basename(p), res)
        reg = reg.with_resource('file://' + os.path.abspath(p), res)
    validator = cls(schema, registry=reg)
except ImportError:
    resolver = jsonschema.RefResolver('file://' + os.path.abspath(schema_dir) + '/', schema)
    validator = cls(schema, resolver=resolver)
errors = list(validator.iter_errors(doc))
for e in errors:
    print('%s: %s' % ('/'.join(map(str, e.absolute_path)) or '(root)', e.message))
sys.exit(1 if errors else 0)
