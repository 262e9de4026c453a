// Saving an edited live object (during a breakglass): confirm when no breakglass covers it or the context is
// production → server-side apply of the changed fields only, with the opened resourceVersion as precondition.
import type { KubeObject } from '../model';
import type { KubeClient } from '../kube/types';
import { applyLiveEdit } from '../control/live-edit';
import { isProductionContext } from '../control/production';
import { BREAKGLASS_FIELD_MANAGER } from '../control/constants';
import { cancelled, type Cancelled, type FlowDeps } from './types';

export interface LiveSaveInput {
  client: KubeClient;
  context: string;
  /** The apply body (only the edited fields, see liveEditBody). */
  body: KubeObject;
  /** The resourceVersion the document was opened at. */
  resourceVersion?: string;
  /** A breakglass is active on the owning app. */
  inBreakglass: boolean;
}

export async function liveSaveFlow(deps: Pick<FlowDeps, 'prompter' | 'productionPattern' | 'log'>, input: LiveSaveInput): Promise<KubeObject | Cancelled> {
  const { body, context } = input;
  if (!input.inBreakglass || isProductionContext(context, deps.productionPattern)) {
    const go = await deps.prompter.confirm({
      id: 'liveSave.apply',
      severity: 'warning',
      message: `Apply this edit to ${body.kind} ${body.metadata.name} in ${context}?`,
      detail: `${input.inBreakglass ? '' : 'No breakglass is active for its app: the GitOps controller may revert the change.\n'}The edited fields are applied as field manager ${BREAKGLASS_FIELD_MANAGER}.`,
      actions: ['Apply Live'],
    });
    if (go !== 'Apply Live') return cancelled('not applied');
  }
  const saved = await applyLiveEdit(input.client, body, { resourceVersion: input.resourceVersion });
  deps.log(`applied live edit to ${body.kind} ${body.metadata.namespace ?? ''}/${body.metadata.name} in ${context}: ${JSON.stringify(body)}`);
  return saved;
}
