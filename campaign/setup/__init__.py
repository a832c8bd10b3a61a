"""The admin's set-up console under /setup/: the pages that change what the campaign runs on."""
