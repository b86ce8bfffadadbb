"""IP ranges as CIDR, and their ends as fixed-width hex strings that compare like the
addresses (see `IpRange`)."""
from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RangeError(ValueError):
    """Not a CIDR range; the message, in French, says why."""


def parse_range(text: str) -> Network:
    """"192.0.2.0/24", "2001:db8::/48", or one address (a /32 or /128). Host bits set are an
    error: "192.0.2.1/24" more likely means a typing mistake than 192.0.2.0/24."""
    text = text.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            loose = ipaddress.ip_network(text, strict=False)
            raise RangeError(f"plage « {text} » : l'adresse a des bits hors du préfixe (voulez-vous dire {loose} ?)") from None
        raise RangeError(f"plage d'adresses invalide « {text} » (exemples : 192.0.2.0/24, 2001:db8::/48)") from None
    if network.version == 6 and network.network_address.ipv4_mapped is not None:
        raise RangeError(f"plage « {text} » : écrivez les adresses IPv4 sous leur forme IPv4 (exemple : 192.0.2.0/24)")
    return network


def hex32(address: Address) -> str:
    return f"{int(address):032x}"


def bounds(network: Network) -> tuple[int, str, str]:
    """(version, first, last) as stored."""
    return network.version, hex32(network.network_address), hex32(network.broadcast_address)


def parse_address(text: str | None) -> Address | None:
    """A client address; an IPv4-mapped IPv6 address (::ffff:192.0.2.1) is its IPv4 address."""
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
