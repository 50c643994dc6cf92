"""Where an address is: public, private (intranet, loopback) or forbidden (link-local and
cloud metadata). The external-link check asks this of every address of every hop, so a build
cannot be made to reach the runner's own network."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PUBLIC = "public"
PRIVATE = "private"  # loopback, RFC 1918, unique local, shared (CGNAT), and every other non-global
FORBIDDEN = "forbidden"  # link-local and cloud metadata: never fetched, whatever the options say

_FORBIDDEN_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.0.0/16",  # IPv4 link-local; AWS, GCP, Azure and OCI metadata at .169.254
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
    )
)
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and 8215):
# on a runner with NAT64, 64:ff9b::a9fe:a9fe reaches 169.254.169.254.
_NAT64_NETWORKS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def classify_address(address: IPAddress) -> str:
    """``PUBLIC``, ``PRIVATE`` or ``FORBIDDEN`` for one resolved address.

    An IPv6 address that stands for an IPv4 one (mapped, NAT64, 6to4) is judged by that IPv4
    address, since that is where a connection to it ends up.
    """
    address = embedded_ipv4(address) or address
    if any(address in network for network in _FORBIDDEN_NETWORKS if network.version == address.version):
        return FORBIDDEN
    if address.is_global and not address.is_multicast:
        return PUBLIC
    return PRIVATE


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _NAT64_NETWORKS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None



def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def shown(address: IPAddress) -> str:
    """The address as a message names it, with the IPv4 address an IPv6 one stands for."""
    embedded = embedded_ipv4(address)
    return f"{address} (that is {embedded})" if embedded else str(address)
