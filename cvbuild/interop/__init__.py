"""Other CV formats in and out: JSON Resume (import and export) and RenderCV (import)."""
