"""Users: addresses, argon2 password hashes, roles, and checking a password in the same time
whether the address is known or not."""
from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..bulletins.subscribers import AddressError, address_key, normalise_address
from .models import ROLES, Organisation, User

MIN_PASSWORD = 10
MAX_PASSWORD = 200
HASHER = PasswordHasher()
# Checked against when the address is unknown, so that the answer takes as long as for a wrong password.
_DUMMY_HASH = HASHER.hash("ce n'est le mot de passe de personne")


class UserError(ValueError):
    """Refused for a user; the message, in French, says why."""


def password_error(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"mot de passe trop court : {MIN_PASSWORD} caractères au moins"
    if len(password) > MAX_PASSWORD:
        return f"mot de passe trop long : {MAX_PASSWORD} caractères au plus"
    return None


def hash_password(password: str) -> str:
    error = password_error(password)
    if error:
        raise UserError(error)
    return HASHER.hash(password)


def by_email(session: Session, email: str) -> User | None:
    try:
        key = address_key(email)
    except AddressError:
        return None
    return session.scalar(select(User).where(User.email_key == key).options(selectinload(User.organisation)))


def add(session: Session, email: str, now: datetime, *, organisation: Organisation | None = None,
        role: str = "lecteur", password: str | None = None, verified: bool = False,
        approved: bool = False) -> User:
    try:
        address = normalise_address(email)
    except AddressError as exc:
        raise UserError(str(exc)) from None
    if role not in ROLES:
        raise UserError(f"rôle inconnu « {role} » (rôles : {', '.join(ROLES)})")
    if by_email(session, address) is not None:
        raise UserError(f"un compte existe déjà pour l'adresse {address}")
    user = User(email=address, email_key=address.lower(), organisation=organisation, role=role,
                password_hash=hash_password(password) if password is not None else None,
                verified_at=now if verified else None, approved_at=now if approved else None, created_at=now)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user when the address and password match, else None; as slow either way."""
    user = by_email(session, email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        HASHER.verify(stored, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash:
        return None
    if HASHER.check_needs_rehash(stored):
        user.password_hash = HASHER.hash(password)
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(selectinload(User.organisation)).order_by(User.email_key)))
