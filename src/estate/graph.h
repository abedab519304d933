// Views of an estate: the normalised model (text, JSON) and the data-flow
// graph (Graphviz DOT, JSON). Output is deterministic: same estate, same bytes.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "estate/model.h"

namespace rampart::estate {

// The normalised model: defaults filled in, flows expanded to explicit ports.
boost::json::value ToJson(const Estate& e);
std::string ToText(const Estate& e);

// The data-flow map: zones as clusters, services and assets as nodes, flows as
// edges labelled with ports, asset -> service "stored in" edges dashed, crown
// jewels drawn red and doubled, internet-exposed services marked.
std::string GraphDot(const Estate& e);
// {"nodes":[{"id","type","zone","crown_jewel",...}],"edges":[{"from","to","flow","ports"}],
//  "zones":[...]}
boost::json::value GraphJson(const Estate& e);

}  // namespace rampart::estate
