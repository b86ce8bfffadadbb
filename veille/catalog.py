"""feeds.yaml -> validated Source and Topic objects.

Every error names the file, the line, the source or rubrique and the field,
and all errors are collected before anything is reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .learned import ModelSettings

# Source categories in bulletin order: slug -> French label.
CATEGORIES: dict[str, str] = {
    "journal-officiel": "Journal officiel",
    "parlement": "Parlement",
    "union-europeenne": "Union européenne",
    "circulaires": "Circulaires",
    "jurisprudence": "Jurisprudence",
    "reponses-ministerielles": "Réponses ministérielles",
    "infos-rh": "Infos RH",
    "documentation": "Documentation",
    "actualite": "Actualité",
}

KINDS = ("rss", "atom", "jorf", "circulaires", "html", "questions", "jurisprudence")

MODEL_KEYS = {"enabled", "propose", "confirm"}
TOPIC_KEYS = {"slug", "label", "theme", "keywords", "exclude", "ministries", "nor_prefixes", "an_rubriques"}
SOURCE_KEYS = {
    "id", "name", "kind", "url", "category", "topics", "interval",
    "allow_private", "enabled", "options", "selectors",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INTERVAL_RE = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
INTERVAL_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class Topic:
    slug: str
    label: str
    keywords: tuple[str, ...] = ()
    theme: str = ""  # the group it is listed under (/rubriques/); "" for none
    exclude: tuple[str, ...] = ()
    ministries: tuple[str, ...] = ()
    nor_prefixes: tuple[str, ...] = ()
    an_rubriques: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str
    url: str
    category: str
    topics: tuple[str, ...]
    interval: timedelta
    allow_private: bool = False
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    selectors: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    line: int = 0


@dataclass(frozen=True)
class Catalog:
    path: Path
    topics: dict[str, Topic]
    sources: dict[str, Source]
    # AN question rubriques deliberately given no topic (the others are in topics' an_rubriques).
    unmapped_an_rubriques: tuple[str, ...] = ()
    # The learned stage of classification (veille/learned.py); None: the rules alone.
    model: ModelSettings | None = None


@dataclass(frozen=True)
class CatalogError:
    path: str
    line: int
    owner: str  # "source « x »", "rubrique « y »" or "" for the file itself
    field: str
    message: str

    def __str__(self) -> str:
        parts = [f"{self.path}:{self.line}" if self.line else self.path]  # line 0: the file as a whole
        if self.owner:
            parts.append(self.owner)
        if self.field:
            parts.append(f"champ « {self.field} »")
        return " : ".join(parts) + f" : {self.message}"


class CatalogInvalid(Exception):
    def __init__(self, errors: list[CatalogError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def parse_interval(text: str) -> timedelta | None:
    match = INTERVAL_RE.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    return timedelta(**{INTERVAL_UNITS[match.group(2)]: int(match.group(1))})


def load_catalog(path: Path) -> Catalog:
    """Read and validate a feeds.yaml; raise CatalogInvalid with every error found."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogInvalid([CatalogError(str(path), 0, "", "", "fichier introuvable")]) from None
    except UnicodeDecodeError as exc:
        raise CatalogInvalid([CatalogError(str(path), 0, "", "", f"le fichier n'est pas en UTF-8 ({exc.reason})")]) from None
    return parse_catalog(text, Path(path))


# PyYAML's problems, in French: (the start of its message, what it means to the person editing).
YAML_PROBLEMS = (
    ("mapping values are not allowed", "« : » inattendu (un texte qui contient « : » doit être entre guillemets)"),
    ("could not find expected ':'", "« : » attendu après la clé"),
    ("found character '\\t'", "tabulation interdite : indentez avec des espaces"),
    ("found a tab character", "tabulation interdite : indentez avec des espaces"),
    ("found character", "caractère interdit à cet endroit"),
    ("expected <block end>", "indentation incohérente avec les lignes précédentes"),
    ("did not find expected key", "clé attendue : l'indentation est-elle cohérente ?"),
    ("did not find expected '-' indicator", "élément de liste « - » attendu : l'indentation est-elle cohérente ?"),
    ("found unexpected end of stream", "fin du fichier inattendue (un guillemet n'est-il pas fermé ?)"),
    ("expected ',' or ']'", "« , » ou « ] » attendu (liste entre crochets)"),
    ("expected ',' or '}'", "« , » ou « } » attendu (dictionnaire entre accolades)"),
    ("found undefined alias", "alias non défini"),
    ("found unknown escape character", "séquence d'échappement inconnue entre guillemets doubles"),
    ("found duplicate anchor", "ancre en double"),
)


def yaml_problem(problem: str) -> str:
    """PyYAML's message in French; an unforeseen one is kept, quoted, after a French lead."""
    for start, french in YAML_PROBLEMS:
        if problem.startswith(start):
            return french
    return f"syntaxe incorrecte (« {problem} »)"


def parse_catalog(text: str, path: Path) -> Catalog:
    checker = _Checker(str(path))
    try:
        root = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        column = f", colonne {mark.column + 1}" if mark else ""
        problem = yaml_problem(getattr(exc, "problem", None) or str(exc))
        raise CatalogInvalid([CatalogError(str(path), line, "", "", f"YAML invalide{column} : {problem}")]) from None
    if not isinstance(root, yaml.MappingNode):
        raise CatalogInvalid([CatalogError(str(path), _line(root), "", "", "le fichier doit contenir les clés « topics » et « sources »")])
    top = checker.mapping(root, "", {"topics", "unmapped_an_rubriques", "model", "sources"})
    topics = checker.topics(top.get("topics"), root)
    unmapped = checker.unmapped_an_rubriques(top, topics)
    model = checker.model(top.get("model"))
    sources = checker.sources(top.get("sources"), root, topics)
    if checker.errors:
        raise CatalogInvalid(checker.errors)
    return Catalog(path=path, topics=topics, sources=sources, unmapped_an_rubriques=unmapped, model=model)


def _compose(text: str) -> yaml.Node | None:
    """The YAML tree, read by libyaml when PyYAML has it (ten times faster: every command reads
    feeds.yaml); a file it refuses is read again by PyYAML, whose messages yaml_problem knows."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 0


class _Checker:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[CatalogError] = []

    def error(self, node: yaml.Node | None, owner: str, field_name: str, message: str) -> None:
        self.errors.append(CatalogError(self.path, _line(node), owner, field_name, message))

    def mapping(self, node: yaml.Node, owner: str, allowed: set[str]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node); reports unknown and repeated keys."""
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.error(key_node, owner, "", "clé invalide")
            elif key not in allowed:
                self.error(key_node, owner, key, f"clé inconnue (clés permises : {', '.join(sorted(allowed))})")
            elif key in result:
                self.error(key_node, owner, key, "clé répétée")
            else:
                result[key] = (key_node, value_node)
        return result

    def entries(self, pair: tuple[yaml.Node, yaml.Node] | None, root: yaml.Node, name: str) -> list[yaml.Node]:
        if pair is None:
            self.error(root, "", name, "clé obligatoire absente")
            return []
        key_node, value = pair
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
            return []
        if not isinstance(value, yaml.SequenceNode):
            self.error(value, "", name, "doit être une liste")
            return []
        return value.value

    def scalar(self, fields: dict, name: str, owner: str, node: yaml.Node, required: bool = True) -> str | None:
        pair = fields.get(name)
        if pair is None:
            if required:
                self.error(node, owner, name, "champ obligatoire absent")
            return None
        value = pair[1]
        if not isinstance(value, yaml.ScalarNode) or value.tag.endswith(":null") or not str(value.value).strip():
            self.error(value, owner, name, "doit être un texte non vide")
            return None
        return str(value.value).strip()

    def string_list(self, fields: dict, name: str, owner: str) -> tuple[tuple[str, ...], yaml.Node | None]:
        pair = fields.get(name)
        if pair is None:
            return (), None
        value = pair[1]
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
            return (), value
        if not isinstance(value, yaml.SequenceNode):
            self.error(value, owner, name, "doit être une liste de textes")
            return (), value
        items = []
        for item in value.value:
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                self.error(item, owner, name, "chaque élément doit être un texte non vide")
            else:
                items.append(str(item.value).strip())
        return tuple(items), value

    def boolean(self, fields: dict, name: str, owner: str, default: bool) -> bool:
        pair = fields.get(name)
        if pair is None:
            return default
        value = pair[1]
        if not (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":bool")):
            self.error(value, owner, name, "doit valoir true ou false")
            return default
        return value.value.lower() in ("true", "yes", "on")

    def plain_mapping(self, fields: dict, name: str, owner: str) -> dict[str, Any]:
        pair = fields.get(name)
        if pair is None:
            return {}
        value = pair[1]
        if not isinstance(value, yaml.MappingNode):
            self.error(value, owner, name, "doit être un dictionnaire")
            return {}
        return _construct(value)

    def topics(self, pair, root) -> dict[str, Topic]:
        topics: dict[str, Topic] = {}
        for node in self.entries(pair, root, "topics"):
            if not isinstance(node, yaml.MappingNode):
                self.error(node, "", "topics", "chaque rubrique doit être un dictionnaire")
                continue
            owner = _owner(node, "slug", "rubrique")
            fields = self.mapping(node, owner, TOPIC_KEYS)
            slug = self.scalar(fields, "slug", owner, node)
            label = self.scalar(fields, "label", owner, node)
            theme = self.scalar(fields, "theme", owner, node, required=False) or ""
            lists = {name: self.string_list(fields, name, owner)[0]
                     for name in ("keywords", "exclude", "ministries", "nor_prefixes", "an_rubriques")}
            if slug is None or label is None:
                continue
            if not SLUG_RE.match(slug):
                self.error(fields["slug"][1], owner, "slug", "doit être en minuscules ASCII séparées par des tirets")
            elif slug in topics:
                self.error(fields["slug"][1], owner, "slug", "identifiant de rubrique en double")
            else:
                topics[slug] = Topic(slug=slug, label=label, theme=theme, **lists)
        return topics

    def unmapped_an_rubriques(self, top: dict, topics: dict[str, Topic]) -> tuple[str, ...]:
        """The AN rubriques given no topic: each one decided once, never also mapped to a topic."""
        from .text import fold  # HTML libraries: loaded only when a catalog is read

        names, node = self.string_list(top, "unmapped_an_rubriques", "")
        mapped = {fold(r): t.slug for t in topics.values() for r in t.an_rubriques}
        for name, item in zip(names, node.value if isinstance(node, yaml.SequenceNode) else ()):
            if fold(name) in mapped:
                self.error(item, "", "unmapped_an_rubriques",
                           f"la rubrique AN « {name} » est aussi donnée à la rubrique « {mapped[fold(name)]} »")
        return names

    def model(self, pair) -> ModelSettings | None:
        """`model: {enabled, propose, confirm}`; absent: the rules alone."""
        if pair is None:
            return None
        if not isinstance(pair[1], yaml.MappingNode):
            self.error(pair[1], "", "model", "doit être un dictionnaire (enabled, propose, confirm)")
            return None
        fields = self.mapping(pair[1], "model", MODEL_KEYS)
        scores = {}
        for name in ("propose", "confirm"):
            value = fields.get(name, (None, None))[1]
            if value is None:
                continue
            number = _construct_scalar(value)
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 1:
                self.error(value, "model", name, "doit être un nombre entre 0 et 1")
            else:
                scores[name] = float(number)
        return ModelSettings(enabled=self.boolean(fields, "enabled", "model", True), **scores)

    def sources(self, pair, root, topics: dict[str, Topic]) -> dict[str, Source]:
        sources: dict[str, Source] = {}
        seen_ids: set[str] = set()
        for node in self.entries(pair, root, "sources"):
            if not isinstance(node, yaml.MappingNode):
                self.error(node, "", "sources", "chaque source doit être un dictionnaire")
                continue
            owner = _owner(node, "id", "source")
            fields = self.mapping(node, owner, SOURCE_KEYS)
            before = len(self.errors)
            source_id = self.scalar(fields, "id", owner, node)
            name = self.scalar(fields, "name", owner, node)
            kind = self.scalar(fields, "kind", owner, node)
            url = self.scalar(fields, "url", owner, node)
            category = self.scalar(fields, "category", owner, node)
            interval_text = self.scalar(fields, "interval", owner, node)
            topic_slugs, topics_node = self.string_list(fields, "topics", owner)
            allow_private = self.boolean(fields, "allow_private", owner, False)
            enabled = self.boolean(fields, "enabled", owner, True)
            options = self.plain_mapping(fields, "options", owner)
            selectors = self.plain_mapping(fields, "selectors", owner)

            if source_id is not None:
                if not SLUG_RE.match(source_id):
                    self.error(fields["id"][1], owner, "id", "doit être en minuscules ASCII séparées par des tirets")
                elif source_id in seen_ids:
                    self.error(fields["id"][1], owner, "id", "identifiant de source en double")
                seen_ids.add(source_id)
            if kind is not None and kind not in KINDS:
                self.error(fields["kind"][1], owner, "kind", f"type inconnu « {kind} » (types permis : {', '.join(KINDS)})")
            if url is not None:
                parts = urlsplit(url)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    self.error(fields["url"][1], owner, "url", f"adresse invalide « {url} » (http ou https attendu)")
            if category is not None and category not in CATEGORIES:
                self.error(fields["category"][1], owner, "category",
                           f"catégorie inconnue « {category} » (catégories permises : {', '.join(CATEGORIES)})")
            for slug in topic_slugs:
                if slug not in topics:
                    self.error(topics_node, owner, "topics", f"rubrique inconnue « {slug} »")
            interval = None
            if interval_text is not None:
                interval = parse_interval(interval_text)
                if interval is None:
                    self.error(fields["interval"][1], owner, "interval",
                               f"intervalle invalide « {interval_text} » (exemples : 15m, 2h, 1d)")
            if len(self.errors) == before:
                sources[source_id] = Source(
                    id=source_id, name=name, kind=kind, url=url, category=category,
                    topics=topic_slugs, interval=interval, allow_private=allow_private,
                    enabled=enabled, options=options, selectors=selectors, line=_line(node),
                )
        return sources


def _owner(node: yaml.MappingNode, key: str, word: str) -> str:
    """« source « x » » for messages, before the fields are validated."""
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key and isinstance(value, yaml.ScalarNode):
            return f"{word} « {value.value} »"
    return word


def _construct_scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


def _construct(node: yaml.MappingNode) -> dict[str, Any]:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_mapping(node, deep=True)
    finally:
        loader.dispose()
