import { Inject, Injectable } from '@nestjs/common';
import {
  type CustomerPatch,
  type FindCustomersQuery,
  type grpcV1,
  HISTORY_API,
  type HistoryApi,
} from '@switchboard/contracts';
import { channels, identityKinds } from '../mapping/proto-enums.util.js';
import * as views from '../mapping/proto-views.util.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { Violations } from '../server/request-validation.util.js';

const MAX_ATTRIBUTES = 50;

/** CustomerService: validates at the edge, then asks history. */
@Injectable()
export class CustomerServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
  ) {}

  implementation(): grpcV1.CustomerServiceHandlers {
    return {
      GetCustomer: this.rpc.unary(
        'GetCustomer',
        'read',
        async (req: grpcV1.GetCustomerRequest__Output, ctx) => {
          new Violations().uuid('customer_id', req.customerId).throwIfAny();
          return views.customer(await this.history.getCustomer(ctx.principal.workspaceId, req.customerId));
        },
      ),
      FindCustomers: this.rpc.unary(
        'FindCustomers',
        'read',
        async (req: grpcV1.FindCustomersRequest__Output, ctx) => {
          const page = await this.history.findCustomers(ctx.principal.workspaceId, findQuery(req));
          return { customers: page.items.map(views.customer), nextPageToken: page.nextPageToken ?? '' };
        },
      ),
      GetTimeline: this.rpc.unary(
        'GetTimeline',
        'read',
        async (req: grpcV1.GetTimelineRequest__Output, ctx) => {
          new Violations()
            .uuid('customer_id', req.customerId)
            .integer('page_size', req.pageSize, 0, 200)
            .text('page_token', req.pageToken, 0, 2000)
            .throwIfAny();
          const channel = channels.fromProto(req.channel);
          const page = await this.history.getTimeline(ctx.principal.workspaceId, req.customerId, {
            ...(channel ? { channel } : {}),
            ...(req.pageSize > 0 ? { pageSize: req.pageSize } : {}),
            ...(req.pageToken ? { pageToken: req.pageToken } : {}),
          });
          return { messages: page.items.map(views.message), nextPageToken: page.nextPageToken ?? '' };
        },
      ),
      UpdateCustomer: this.rpc.unary(
        'UpdateCustomer',
        'write',
        async (req: grpcV1.UpdateCustomerRequest__Output, ctx) =>
          views.customer(
            await this.history.updateCustomer(
              ctx.principal.workspaceId,
              req.customerId,
              patchOf(req),
              ctx.sender(),
            ),
          ),
      ),
      MergeCustomers: this.rpc.unary(
        'MergeCustomers',
        'write',
        async (req: grpcV1.MergeCustomersRequest__Output, ctx) => {
          const v = new Violations()
            .uuid('target_customer_id', req.targetCustomerId)
            .uuid('source_customer_id', req.sourceCustomerId);
          if (req.targetCustomerId !== '' && req.targetCustomerId === req.sourceCustomerId) {
            v.add('source_customer_id', 'must differ from target_customer_id');
          }
          v.throwIfAny();
          return views.merge(
            await this.history.mergeCustomers(
              ctx.principal.workspaceId,
              { targetCustomerId: req.targetCustomerId, sourceCustomerId: req.sourceCustomerId },
              ctx.sender(),
            ),
          );
        },
      ),
      EraseCustomer: this.rpc.unary(
        'EraseCustomer',
        'write',
        async (req: grpcV1.EraseCustomerRequest__Output, ctx) => {
          new Violations().uuid('customer_id', req.customerId).throwIfAny();
          return views.erasure(
            await this.history.eraseCustomer(ctx.principal.workspaceId, req.customerId, ctx.sender()),
          );
        },
      ),
      ExportCustomer: this.rpc.unary(
        'ExportCustomer',
        'read',
        async (req: grpcV1.ExportCustomerRequest__Output, ctx) => {
          new Violations().uuid('customer_id', req.customerId).throwIfAny();
          return views.customerExport(
            await this.history.exportCustomer(ctx.principal.workspaceId, req.customerId),
          );
        },
      ),
    };
  }
}

function attributeViolations(v: Violations, field: string, attributes: Record<string, string>): void {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES) v.add(field, `at most ${MAX_ATTRIBUTES} attributes`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 100) v.add(`${field}[${key}]`, 'keys must be 1 to 100 characters');
    if (value.length > 500) v.add(`${field}[${key}]`, 'values must be at most 500 characters');
  }
}

function findQuery(req: grpcV1.FindCustomersRequest__Output): FindCustomersQuery {
  const v = new Violations()
    .text('text', req.text, 0, 200)
    .integer('page_size', req.pageSize, 0, 100)
    .text('page_token', req.pageToken, 0, 2000);
  attributeViolations(v, 'attributes', req.attributes);
  let identity: FindCustomersQuery['identity'];
  if (req.identity) {
    const kind = identityKinds.fromProto(req.identity.kind);
    if (!kind) v.add('identity.kind', 'is required with an identity');
    v.text('identity.value', req.identity.value, 1, 320);
    if (kind) identity = { kind, value: req.identity.value.trim() };
  }
  if (!req.identity && Object.keys(req.attributes).length === 0 && req.text.trim() === '') {
    v.add('identity', 'give an identity, attributes or text to search by');
  }
  v.throwIfAny();
  return {
    ...(identity ? { identity } : {}),
    ...(Object.keys(req.attributes).length > 0 ? { attributes: { ...req.attributes } } : {}),
    ...(req.text.trim() ? { text: req.text.trim() } : {}),
    ...(req.pageSize > 0 ? { pageSize: req.pageSize } : {}),
    ...(req.pageToken ? { pageToken: req.pageToken } : {}),
  };
}

function patchOf(req: grpcV1.UpdateCustomerRequest__Output): CustomerPatch {
  const v = new Violations().uuid('customer_id', req.customerId);
  // proto3 `optional`: the loader names the member set in `_name` when the client sent one.
  const nameGiven = req._name === 'name';
  if (nameGiven) v.text('name', req.name ?? '', 0, 200);
  attributeViolations(v, 'set_attributes', req.setAttributes);
  req.removeAttributes.forEach((key, i) => {
    if (key.length < 1 || key.length > 100)
      v.add(`remove_attributes[${i}]`, 'keys must be 1 to 100 characters');
    if (key in req.setAttributes) v.add(`remove_attributes[${i}]`, 'is also in set_attributes');
  });
  if (!nameGiven && Object.keys(req.setAttributes).length === 0 && req.removeAttributes.length === 0) {
    v.add('customer_id', 'nothing to change: give name, set_attributes or remove_attributes');
  }
  v.throwIfAny();
  const attributes: Record<string, string | null> = { ...req.setAttributes };
  for (const key of req.removeAttributes) attributes[key] = null;
  return {
    ...(nameGiven ? { name: req.name?.trim() ? req.name.trim() : null } : {}),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}
