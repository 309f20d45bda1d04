// The seam for the AI settings: the API key lives in VS Code's SecretStorage, never in
// settings.json. The server has no AI capability yet; when it does, the extension reads the
// key here and sends it at initialize (in initializationOptions, never logged).
import type * as vscode from 'vscode';

const AI_KEY = 'threatls.ai.apiKey';

export async function aiKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  return secrets.get(AI_KEY);
}

export async function setAiKey(secrets: vscode.SecretStorage, key: string | undefined): Promise<void> {
  if (key) await secrets.store(AI_KEY, key);
  else await secrets.delete(AI_KEY);
}
