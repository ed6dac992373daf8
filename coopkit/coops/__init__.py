"""Co-op workspaces, the permission policy and invitations."""
