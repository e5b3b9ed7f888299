"""An application that keeps its database credentials in CSMS."""
