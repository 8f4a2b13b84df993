/**
 * The workspace the embedded start (and a newcomer's first channel) uses until admins create
 * others. Every row, query and event still carries its workspace id explicitly.
 */
export const DEFAULT_WORKSPACE_ID = '00000000-0000-4000-8000-000000000001';
