import twilio from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';
import type { TwilioConfig } from '../config.js';

/**
 * The SDK's HTTP client, sending every request to `baseUrl` instead of
 * https://<product>.twilio.com (TWILIO_API_BASE_URL: sandboxes and the tests'
 * local Twilio). The SDK's own `edge`/`region` options cannot reach such a host.
 */
export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(baseUrl: string) {
    super();
    this.base = new URL(baseUrl);
  }

  override request<TData>(options: BaseRequestClient.RequestOptions<TData>) {
    const target = new URL(options.uri);
    if (target.hostname.endsWith('.twilio.com')) {
      target.protocol = this.base.protocol;
      target.host = this.base.host;
      target.pathname = `${this.base.pathname.replace(/\/$/, '')}${target.pathname}`;
    }
    return super.request<TData>({ ...options, uri: target.toString() });
  }
}

/** A real Twilio SDK client for the configured account, optionally pointed at TWILIO_API_BASE_URL. */
export function createTwilioClient(config: TwilioConfig): twilio.Twilio {
  return twilio(config.accountSid, config.authToken, {
    ...(config.apiBaseUrl ? { httpClient: new RedirectingRequestClient(config.apiBaseUrl) } : {}),
    autoRetry: true,
    maxRetries: 3,
  });
}
