"""Print a YAML file as JSON, for the deployment file tests.

Usage: yaml_to_json.py FILE

Docker Compose's merge tags survive as one-key objects: `build: !reset null` becomes
{"build": {"!reset": null}} and `environment: !override {...}` becomes {"environment": {"!override": {...}}}.
Any other tag is an error, as are duplicate keys (PyYAML would keep the last one silently).
"""

import json
import sys

import yaml


class Loader(yaml.SafeLoader):
    pass


def _compose_tag(loader, tag_suffix, node):
    tag = "!" + tag_suffix
    if tag not in ("!reset", "!override"):
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag {tag}", node.start_mark)
    if isinstance(node, yaml.MappingNode):
        value = _mapping(loader, node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
        value = None if value in ("", "null", "~") else value
    return {tag: value}


def _mapping(loader, node):
    result = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


Loader.add_multi_constructor("!", _compose_tag)
Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

with open(sys.argv[1], encoding="utf-8") as handle:
    document = yaml.load(handle, Loader=Loader)
json.dump(document, sys.stdout, sort_keys=True)
