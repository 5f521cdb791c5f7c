"""Everything that talks to AWS: identities, the call gateway, error meanings, regions, policies."""
