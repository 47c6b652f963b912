"""Reading submitted annexes and reporting findings (see the data contract's finding codes)."""
