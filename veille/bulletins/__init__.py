"""Daily and weekly bulletins: editions built as snapshots, rendered, and mailed through an outbox."""
