"""Report renderers: plain data in, bytes or files out. They never query the database
and know nothing of Flask, so the CLI, the web downloads and the nightly email share them."""
