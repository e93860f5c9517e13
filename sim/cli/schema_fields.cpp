#include "sim/cli/schema_fields.hpp"

#include <map>

namespace fleetsim {

using Json = nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const Json& resolve(const Json& schema, const Json& node) {
  const auto ref = node.find("$ref");
  if (ref == node.end() || !ref->is_string()) return node;
  const std::string name = ref->get<std::string>();
  const std::string prefix = "#/$defs/";
  if (!starts_with(name, prefix) || !schema.contains("$defs") || !schema["$defs"].contains(name.substr(prefix.size())))
    return node;
  return schema["$defs"][name.substr(prefix.size())];
}

void walk(const Json& schema, const Json& node_in, const std::string& path, const Json* doc, int depth,
          const std::string& key_placeholder, std::map<std::string, std::vector<const Json*>>& out) {
  if (depth > 12) return;
  const Json& node = resolve(schema, node_in);
  if (!node.is_object()) return;
  bool inner = false;
  for (const char* alternatives : {"oneOf", "anyOf", "allOf"})
    if (const auto it = node.find(alternatives); it != node.end() && it->is_array())
      for (const Json& alt : *it) {
        walk(schema, alt, path, doc, depth + 1, key_placeholder, out);
        inner = true;
      }
  const auto child = [&](const std::string& key) -> const Json* {
    return doc && doc->is_object() && doc->contains(key) ? &(*doc)[key] : nullptr;
  };
  if (const auto props = node.find("properties"); props != node.end() && props->is_object()) {
    inner = true;
    for (const auto& [key, sub] : props->items())
      walk(schema, sub, path.empty() ? key : path + "." + key, child(key), depth + 1, key_placeholder, out);
  }
  if (const auto extra = node.find("additionalProperties"); extra != node.end() && extra->is_object()) {
    inner = true;
    if (doc && doc->is_object())
      for (const auto& [key, value] : doc->items())
        // A key with '.', '[' or ']' cannot be named in a dotted path.
        if ((!node.contains("properties") || !node["properties"].contains(key)) &&
            key.find_first_of(".[]") == std::string::npos)
          walk(schema, *extra, path.empty() ? key : path + "." + key, &value, depth + 1, key_placeholder, out);
    if (!key_placeholder.empty() && !(doc && doc->is_object() && !doc->empty()))
      walk(schema, *extra, path.empty() ? key_placeholder : path + "." + key_placeholder, nullptr, depth + 1,
           key_placeholder, out);
  }
  if (const auto items = node.find("items"); items != node.end() && items->is_object()) {
    inner = true;
    const size_t n = doc && doc->is_array() && !doc->empty() ? doc->size() : 1;
    for (size_t i = 0; i < n; ++i)
      walk(schema, *items, path + "[" + std::to_string(i) + "]", doc && doc->is_array() && i < doc->size() ? &(*doc)[i] : nullptr,
           depth + 1, key_placeholder, out);
  }
  if (!inner && !path.empty()) out[path].push_back(&node);
}

}  // namespace

std::vector<SchemaField> schema_fields(const Json& schema, const Json& scenario, const std::string& key_placeholder) {
  std::map<std::string, std::vector<const Json*>> fields;
  walk(schema, schema, "", &scenario, 0, key_placeholder, fields);
  std::vector<SchemaField> out;
  for (const auto& [path, nodes] : fields) out.push_back({path, nodes});
  return out;
}

}  // namespace fleetsim
