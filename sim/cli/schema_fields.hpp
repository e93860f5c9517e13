// The fields of the scenario format as `--set` paths ("fleet.cohorts[0].count"), from its JSON
// Schema: for completion (sim/cli/command_completion) and fleetsim-scenario(5).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fleetsim {

struct SchemaField {
  std::string path;
  // The field's schemas ($ref resolved; several where oneOf/anyOf alternatives allow several
  // kinds of value), pointing into the schema passed in.
  std::vector<const nlohmann::json*> schemas;
};

// Every leaf field, sorted by path: arrays as [i] for each element of `scenario` there (else [0]);
// objects keyed by name (regions, CDN sites) by the keys `scenario` has there, or, where it has
// none, by `key_placeholder` ("" leaves them out). The schema must outlive the result.
std::vector<SchemaField> schema_fields(const nlohmann::json& schema, const nlohmann::json& scenario,
                                       const std::string& key_placeholder = "");

}  // namespace fleetsim
