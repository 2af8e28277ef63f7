/**
 * The template's variables and their defaults. The Dockerfile sets the same values
 * with ENV (a test keeps the two in step), so the image and the local renderer
 * produce the same config when nothing is overridden.
 */
export const templateDefaults = {
  /** Address nginx listens on; the ALB reaches the task on its own IP. */
  NGINX_LISTEN_ADDRESS: "0.0.0.0",
  NGINX_PORT: "8080",
  /** The API container of the same ECS task shares the loopback interface. */
  API_UPSTREAM: "127.0.0.1:3000",
  /** One CIDR trusted to set X-Forwarded-For: the VPC the load balancer lives in. */
  REAL_IP_FROM: "10.0.0.0/8",
  CLIENT_MAX_BODY_SIZE: "1m",
  PROXY_CONNECT_TIMEOUT: "5s",
  PROXY_SEND_TIMEOUT: "60s",
  PROXY_READ_TIMEOUT: "60s",
} as const;

export type TemplateVariable = keyof typeof templateDefaults;
