"""Plain RQ job functions of netbox-hedgehog. They load ids, call the plugin's scheduling and sync code, and return a
short summary; the logic lives in `netbox_hedgehog.scheduling` and `netbox_hedgehog.sync`."""
