// The estate's flows resolved to addresses: the reference model every
// enforcement target is compiled from and every enforcement test is compared
// with.
//
// A flow allows (src address, dst address, protocol, port) when the source
// lies in the flow's source endpoint (a service's addresses, or its zone's
// CIDRs when it lists none; a zone's CIDRs; for the internet zone, every IPv4
// address outside the estate's other zones) and likewise the destination, and
// the port is among the flow's ports. Replies of allowed connections are
// allowed (stateful); nothing else is. The model is IPv4 (docs/design/zones.md).
//
// Immutable after BuildEstateModel(); keeps pointers into the Estate, which
// must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "estate/model.h"
#include "zones/conn_set.h"
#include "zones/ip_set.h"

namespace rampart::zones {

struct FlowRule {
  std::string id;        // the estate flow name ("dns-<zone>" for synthesized DNS)
  std::string src_zone;  // zone names
  std::string dst_zone;
  std::string src_endpoint;  // service or zone name
  std::string dst_endpoint;
  bool src_is_zone = false;
  bool dst_is_zone = false;
  IpSet src;
  IpSet dst;
  ConnSet ports;
  SourceLocation where;
};

struct EstateModel {
  const estate::Estate* estate = nullptr;
  std::vector<FlowRule> rules;  // estate order; synthesized DNS rules last
  std::map<std::string, IpSet, std::less<>> zone_addresses;  // internet: the complement

  // Flow ids that allow the connection (empty: denied).
  std::vector<std::string> Allowing(std::uint32_t src, std::uint32_t dst, Protocol p,
                                    std::uint16_t port) const;
  // The addresses of a flow endpoint (service or zone).
  IpSet EndpointAddresses(const std::string& name) const;
};

// Problems that make a flow unenforceable by address (a zone with no CIDRs, an
// IPv6-only endpoint) are errors in `*diags`; such flows are left out, which
// denies them (fail closed).
EstateModel BuildEstateModel(const estate::Estate& e, Diagnostics* diags);

}  // namespace rampart::zones
