"""Masking of a reporter's personal data for viewers not entitled to see it."""


def mask_phone(phone: str | None) -> str | None:
    """138****5678: keep the carrier prefix and the last four digits."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str | None) -> str | None:
    """6201**********1234: keep the province/city prefix and the last four characters."""
    if not id_number:
        return id_number
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_name(name: str | None) -> str | None:
    """张** : a Chinese name keeps its surname (first character) only."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)
