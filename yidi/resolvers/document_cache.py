"""Each distinct document is parsed and validated once per schema, not on every request.

Clients send the same few documents over and over; graphql-core's validation of the
registration mutation alone took a fifth of a worker's CPU. This cache keeps, by document
text, the parsed document and graphql-core's validation verdict (its errors, or none), and
hands both to later requests of the same text, so they skip the parser and the validator
and get exactly the answer the first one got.

What it keeps, and why the verdicts stay those of the uncached pipeline:
- The verdict depends on the document, the schema and the validation rules. One cache
  belongs to one schema built from one `Settings` (`build_schema`), so the schema, the rules
  (introspection hidden or not) and the parser's token limit are fixed for it.
- Syntax errors are not cached: strawberry parses a missed document itself and words the
  error as it always did (QueryBudget's token limit stops the parser early).
- QueryBudget's verdict depends on the variables and the operation name as well (`first:
  $n`, variable lengths), so it still judges every request, before this extension looks at
  validation; a refusal it sets is never replaced by a cached verdict (the placement trap of
  strawberry's own ValidationCache, which overwrote it). Its measure of the document is
  kept here too, by operation name and by the values of the variables the measure read
  (`BudgetVerdicts`): the measure is a deterministic walk of the document that reads
  nothing else, so the same values reach the same verdict.
- Documents longer than `max_document_bytes` are refused by QueryBudget and not cached.

Bounded by entries and by the tokens of the kept documents (a parsed document holds about
600 bytes per token), least recently used first out, so a stream of distinct documents
costs a bounded amount of memory and only evicts, never grows.
"""

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

from yidi.config import Settings

MAX_DOCUMENTS = 512
MAX_TOKENS = 100_000  # ≈ 60 MB of parsed documents at worst


# QueryBudget's measures of one document (resolvers/query_budget.py): by operation name,
# then by the names of the variables the measure read, then by their values as it used
# them, why it refused (None: within budget).
BudgetVerdicts = dict[str | None, dict[tuple[str, ...], dict[tuple[int | None, ...], str | None]]]


@dataclass
class CachedDocument:
    document: DocumentNode
    tokens: int
    # graphql-core's validation errors; None until the document has been validated.
    verdict: tuple[GraphQLError, ...] | None = None
    budget: BudgetVerdicts = field(default_factory=dict)


def _tokens(document: DocumentNode) -> int:
    token = document.loc.start_token if document.loc is not None else None
    count = 0
    while token is not None:
        count += 1
        token = token.next
    return count


class DocumentCache:
    """Parsed documents and their validation verdicts by document text, least recent out."""

    def __init__(self, max_documents: int = MAX_DOCUMENTS, max_tokens: int = MAX_TOKENS) -> None:
        self.max_documents = max_documents
        self.max_tokens = max_tokens
        self._entries: OrderedDict[str, CachedDocument] = OrderedDict()
        self._tokens = 0

    def get(self, text: str) -> CachedDocument | None:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
        return entry

    def put(self, text: str, document: DocumentNode) -> None:
        tokens = _tokens(document)
        if tokens > self.max_tokens or text in self._entries:
            return
        self._entries[text] = CachedDocument(document, tokens)
        self._tokens += tokens
        while len(self._entries) > self.max_documents or self._tokens > self.max_tokens:
            _, evicted = self._entries.popitem(last=False)
            self._tokens -= evicted.tokens

    def __len__(self) -> int:
        return len(self._entries)


class CachedDocuments(SchemaExtension):
    """Serves parse and validation from a `DocumentCache`. Must come after QueryBudget in
    the schema's extensions: it only answers validation for documents the budget let pass."""

    def __init__(self, cache: DocumentCache, settings: Settings) -> None:
        self.cache = cache
        self.settings = settings

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query
        entry = self.cache.get(text) if text else None
        if entry is not None:
            context.graphql_document = entry.document
        yield
        # A syntax error leaves no document: it is not cached (see the module docstring).
        if (
            entry is None
            and text
            and context.graphql_document is not None
            and len(text.encode("utf-8", "surrogatepass")) <= self.settings.max_document_bytes
        ):
            self.cache.put(text, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self.cache.get(context.query) if context.query else None
        if entry is not None and entry.document is not context.graphql_document:
            entry = None  # a document not taken from the cache: leave it alone
        # Not None: QueryBudget (or another extension) already refused; that verdict stands.
        budget_passed = context.pre_execution_errors is None
        if entry is not None and budget_passed and entry.verdict is not None:
            # strawberry skips validation when errors are set; an empty list lets it run.
            context.pre_execution_errors = list(entry.verdict)
            yield
            return
        yield
        if entry is not None and budget_passed and entry.verdict is None:
            entry.verdict = tuple(context.pre_execution_errors or ())
