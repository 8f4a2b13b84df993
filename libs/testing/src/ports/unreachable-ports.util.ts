import type { Provider } from '@nestjs/common';
import { UnavailableError, historyApiPort, routingApiPort, type ServicePort } from '@switchboard/contracts';

/**
 * History and routing as a process sees them while they cannot be reached: every method throws
 * UnavailableError, as the internal RPC clients do (ADR 0004).
 */
export function unreachablePorts(): Provider[] {
  return [unreachable(historyApiPort), unreachable(routingApiPort)];
}

function unreachable<T>(port: ServicePort<T>): Provider {
  const error = () =>
    Promise.reject(new UnavailableError(`the ${port.name} service is not reachable from this process`));
  return {
    provide: port.token,
    useValue: Object.fromEntries(port.methods.map((method) => [method, error])),
  };
}
