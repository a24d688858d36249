"""The coordinators' workspace: the start page, the navigation of the signed-in pages,
and the collection points' pages."""
