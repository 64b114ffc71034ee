// Generated from the gateway's /openapi.json by `pnpm --dir packages/client generate`
// (openapi-typescript): do not edit. A test fails when it is out of date.

export interface paths {
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics of this gateway process (admin) */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is alive */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The gateway can serve (configuration loaded, key store answers) */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the models */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Describe one model */
        get: operations["getModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an anonymous browser session
         * @description Returns a short-lived token (SESSION_TTL_SECONDS) for the predict routes. Minting is limited per client address (SESSION_RATE_LIMIT a minute).
         */
        post: operations["createSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ops/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Traffic, latency, errors and routing per model over the last 5 minutes
         * @description Computed from 10 s buckets, over every worker of this gateway; each gateway replica (host) reports its own traffic.
         */
        get: operations["getOpsSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/model/{id}/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify an image
         * @description Forwarded as is to the model's service. The body is one of: JSON `{"url"}` or `{"image": base64}`, a raw `image/*` body, or multipart/form-data with a file field `image`. The service's own problems (IMAGE_*, BODY_INVALID, MODEL_NOT_READY, OVERLOADED) pass through unchanged.
         */
        post: operations["classify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The gateway is alive (Open Inference Protocol) */
        get: operations["v2ServerLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The gateway can serve (Open Inference Protocol) */
        get: operations["v2ServerReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server metadata and the supported extensions (Open Inference Protocol) */
        get: operations["v2ServerMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The model's inputs and outputs (Open Inference Protocol metadata) */
        get: operations["v2ModelMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the model can serve */
        get: operations["v2ModelReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The model's inputs and outputs (Open Inference Protocol metadata) */
        get: operations["v2ModelVersionMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/versions/{version}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the model can serve */
        get: operations["v2ModelVersionReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Inference (Open Inference Protocol)
         * @description A FP32 tensor [N, 3, H, W] as the model's metadata says (JSON, or binary after the JSON with Inference-Header-Content-Length), or BYTES [N] base64 images with parameters.content_type "base64". Outputs: probabilities, or with parameters.classification k, Triton's "<probability>:<index>:<label>" strings.
         */
        post: operations["v2Infer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{model}/versions/{version}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Inference (Open Inference Protocol), on one version
         * @description A FP32 tensor [N, 3, H, W] as the model's metadata says (JSON, or binary after the JSON with Inference-Header-Content-Length), or BYTES [N] base64 images with parameters.content_type "base64". Outputs: probabilities, or with parameters.classification k, Triton's "<probability>:<index>:<label>" strings.
         */
        post: operations["v2InferVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description ADMIN_REQUIRED */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {"status": "ok"} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {"status": "ready"} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ready";
                    };
                };
            };
            /** @description SERVICE_NOT_READY: the key store does not answer; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        models: {
                            id: string;
                            /** @description absent until a replica has answered once */
                            name?: string;
                            version: string;
                            /** @description number of classes; absent until a replica has answered once */
                            classes?: number;
                            input?: {
                                width: number;
                                height: number;
                            };
                            status: "ready" | "down";
                        }[];
                    };
                };
            };
            /** @description RATE_LIMITED: over the limit for callers without a credential (per address); Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description absent until a replica has answered once */
                        name?: string;
                        version: string;
                        /** @description number of classes; absent until a replica has answered once */
                        classes?: number;
                        input?: {
                            width: number;
                            height: number;
                        };
                        status: "ready" | "down";
                    };
                };
            };
            /** @description MODEL_NOT_FOUND, with knownModels */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description RATE_LIMITED: over the limit for callers without a credential (per address); Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    createSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description send as "Authorization: Bearer <token>" */
                        token: string;
                        /**
                         * Format: date-time
                         * @description when the token stops working; mint a new one before
                         */
                        expiresAt: string;
                    };
                };
            };
            /** @description RATE_LIMITED: too many sessions from this address; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getOpsSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        windowSeconds: number;
                        /** Format: date-time */
                        generatedAt: string;
                        models: {
                            id: string;
                            /** @description requests over the window (or the uptime, if shorter), per second */
                            requestsPerSecond: number;
                            /** @description of requests routed to a model version */
                            latencyMs: {
                                /** @description milliseconds; null without requests */
                                p50: number | null;
                                /** @description milliseconds; null without requests */
                                p95: number | null;
                                /** @description milliseconds; null without requests */
                                p99: number | null;
                            };
                            /** @description share of requests answered 5xx, 0..1 */
                            errorRate: number;
                            /** @description 429 answers */
                            rateLimited: number;
                            requests: number;
                            stable: {
                                version: string;
                                replicas: {
                                    url: string;
                                    /** @description its last /readyz check passed */
                                    healthy: boolean;
                                }[];
                            };
                            canary: {
                                version: string;
                                /** @description percent of traffic */
                                weight: number;
                                replicas: {
                                    url: string;
                                    /** @description its last /readyz check passed */
                                    healthy: boolean;
                                }[];
                            } | null;
                            /** @description shadow traffic and how the shadow compares; null without a shadow */
                            shadow: {
                                /** @description the shadow: another model's id, or <id>@<version> */
                                target: string;
                                /** @description percent of predict requests mirrored */
                                percent: number;
                                /** @description requests sampled over the window: compared + failed + skipped */
                                sampled: number;
                                compared: number;
                                /** @description not sent: the primary did not answer 200, the body was over SHADOW_MAX_BODY_BYTES, or SHADOW_MAX_IN_FLIGHT were on their way */
                                skipped: number;
                                /** @description sent, and no answer to compare: no shadow replica up, an error, a timeout, a 429 */
                                failed: number;
                                /** @description share of compared requests with the same top-1 class, 0..1 */
                                top1Agreement: number | null;
                                /** @description mean share of the top 5 classes both answers hold, 0..1 */
                                top5Overlap: number | null;
                                /** @description mean |top-1 probability of one − of the other| */
                                meanAbsTop1ProbabilityDelta: number | null;
                                /** @description each service's own time (timing.totalMs) on compared requests */
                                latencyMs: {
                                    primary: {
                                        /** @description milliseconds; null without requests */
                                        p50: number | null;
                                        /** @description milliseconds; null without requests */
                                        p95: number | null;
                                    };
                                    shadow: {
                                        /** @description milliseconds; null without requests */
                                        p50: number | null;
                                        /** @description milliseconds; null without requests */
                                        p95: number | null;
                                    };
                                };
                            } | null;
                            /** @description every 10 s bucket of the window, oldest first */
                            series: {
                                /** @description start of a 10 s bucket, epoch seconds */
                                t: number;
                                requests: number;
                                /** @description 5xx answers */
                                errors: number;
                                rateLimited: number;
                                /** @description milliseconds; null without requests */
                                p95Ms: number | null;
                            }[];
                        }[];
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description ADMIN_REQUIRED */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    classify: {
        parameters: {
            query?: {
                /** @description how many classes to return (default 5) */
                topk?: number;
            };
            header?: {
                /** @description pin this version of the model (the stable or the canary one); the response's x-model-version says which answered */
                "x-model-version"?: string;
            };
            path: {
                /** @description model id, as listed by GET /models */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description http(s) URL of the image (the service fetches it) */
                    url?: string;
                    /** @description the image file in base64 (a data: URL prefix is allowed) */
                    image?: string;
                    /** @description how many classes to return */
                    topk?: number;
                };
                "image/*": string;
                "multipart/form-data": {
                    /** Format: binary */
                    image: string;
                };
            };
        };
        responses: {
            /** @description top-k classes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        model: {
                            id: string;
                            name: string;
                            version: string;
                        };
                        predictions: {
                            label: string;
                            index: number;
                            probability: number;
                        }[];
                        /** @description milliseconds per stage, measured by the service */
                        timing: {
                            [key: string]: number;
                        };
                    };
                };
            };
            /** @description BODY_INVALID or IMAGE_MISSING (from the service) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL, or IMAGE_URL_FORBIDDEN (from the service) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND, with knownModels; MODEL_VERSION_NOT_FOUND, with knownVersions */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description PAYLOAD_TOO_LARGE (gateway limit) or IMAGE_TOO_LARGE (service) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description IMAGE_UNSUPPORTED_TYPE (from the service) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description IMAGE_UNDECODABLE (from the service) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description RATE_LIMITED: over this credential's or this model's limit; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UPSTREAM_FAILED, or IMAGE_URL_FAILED (from the service) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), AUTH_UNAVAILABLE, or MODEL_NOT_READY / OVERLOADED (service); with Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description UPSTREAM_TIMEOUT, or IMAGE_URL_TIMEOUT (from the service) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2ServerLive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        live: boolean;
                    };
                };
            };
        };
    };
    v2ServerReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ready: boolean;
                    };
                };
            };
            /** @description SERVICE_NOT_READY: the key store does not answer; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2ServerMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        version: string;
                        extensions: string[];
                    };
                };
            };
            /** @description RATE_LIMITED: over the limit for callers without a credential (per address); Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2ModelMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description name, versions, platform, inputs, outputs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        versions: string[];
                        platform: string;
                        inputs: {
                            name: string;
                            datatype: string;
                            shape: number[];
                        }[];
                        outputs: {
                            name: string;
                            datatype: string;
                            shape: number[];
                        }[];
                    };
                };
            };
            /** @description the request is invalid (BODY_INVALID, IMAGE_*), with the platform's code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description RATE_LIMITED; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service's MODEL_NOT_READY / OVERLOADED; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2ModelReady: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {"name", "ready": true} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        ready: boolean;
                    };
                };
            };
            /** @description the request is invalid (BODY_INVALID, IMAGE_*), with the platform's code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description RATE_LIMITED; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service's MODEL_NOT_READY / OVERLOADED; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2ModelVersionMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                model: string;
                /** @description pin this version (as x-model-version does) */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description name, versions, platform, inputs, outputs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        versions: string[];
                        platform: string;
                        inputs: {
                            name: string;
                            datatype: string;
                            shape: number[];
                        }[];
                        outputs: {
                            name: string;
                            datatype: string;
                            shape: number[];
                        }[];
                    };
                };
            };
            /** @description the request is invalid (BODY_INVALID, IMAGE_*), with the platform's code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description RATE_LIMITED; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service's MODEL_NOT_READY / OVERLOADED; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2ModelVersionReady: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                model: string;
                /** @description pin this version (as x-model-version does) */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description {"name", "ready": true} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        ready: boolean;
                    };
                };
            };
            /** @description the request is invalid (BODY_INVALID, IMAGE_*), with the platform's code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description RATE_LIMITED; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service's MODEL_NOT_READY / OVERLOADED; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2Infer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                model: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id?: string;
                    parameters?: {
                        [key: string]: string | number | boolean;
                    };
                    inputs: {
                        name: string;
                        /** @description FP32, or BYTES (base64 images in, classification strings out) */
                        datatype: string;
                        shape: number[];
                        parameters?: {
                            [key: string]: string | number | boolean;
                        };
                        /** @description row-major; nested arrays allowed. Absent when the tensor is binary (binary_data_size) */
                        data?: unknown[];
                    }[];
                    outputs?: {
                        name: string;
                        parameters?: {
                            [key: string]: string | number | boolean;
                        };
                    }[];
                };
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description the inference response (binary outputs after the JSON when asked for) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        model_name: string;
                        model_version: string;
                        id?: string;
                        outputs: {
                            name: string;
                            /** @description FP32, or BYTES (base64 images in, classification strings out) */
                            datatype: string;
                            shape: number[];
                            parameters?: {
                                [key: string]: string | number | boolean;
                            };
                            /** @description row-major; nested arrays allowed. Absent when the tensor is binary (binary_data_size) */
                            data?: unknown[];
                        }[];
                    };
                    "application/octet-stream": string;
                };
            };
            /** @description the request is invalid (BODY_INVALID, IMAGE_*), with the platform's code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description RATE_LIMITED; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service's MODEL_NOT_READY / OVERLOADED; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    v2InferVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description model id, as listed by GET /models */
                model: string;
                /** @description pin this version (as x-model-version does) */
                version: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id?: string;
                    parameters?: {
                        [key: string]: string | number | boolean;
                    };
                    inputs: {
                        name: string;
                        /** @description FP32, or BYTES (base64 images in, classification strings out) */
                        datatype: string;
                        shape: number[];
                        parameters?: {
                            [key: string]: string | number | boolean;
                        };
                        /** @description row-major; nested arrays allowed. Absent when the tensor is binary (binary_data_size) */
                        data?: unknown[];
                    }[];
                    outputs?: {
                        name: string;
                        parameters?: {
                            [key: string]: string | number | boolean;
                        };
                    }[];
                };
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description the inference response (binary outputs after the JSON when asked for) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        model_name: string;
                        model_version: string;
                        id?: string;
                        outputs: {
                            name: string;
                            /** @description FP32, or BYTES (base64 images in, classification strings out) */
                            datatype: string;
                            shape: number[];
                            parameters?: {
                                [key: string]: string | number | boolean;
                            };
                            /** @description row-major; nested arrays allowed. Absent when the tensor is binary (binary_data_size) */
                            data?: unknown[];
                        }[];
                    };
                    "application/octet-stream": string;
                };
            };
            /** @description the request is invalid (BODY_INVALID, IMAGE_*), with the platform's code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description AUTH_REQUIRED or AUTH_INVALID */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description FORBIDDEN_MODEL */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_NOT_FOUND or MODEL_VERSION_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: string;
                        /** @description the platform's code (docs/errors.md) */
                        code: string;
                    };
                };
            };
            /** @description RATE_LIMITED; Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description MODEL_UNAVAILABLE (every replica down), MODEL_OVERLOADED (every replica at UPSTREAM_MAX_IN_FLIGHT), or the service's MODEL_NOT_READY / OVERLOADED; Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** Format: uri */
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        /** @description stable error code, listed in docs/errors.md */
                        code: string;
                        requestId?: string;
                        /** @description on MODEL_NOT_FOUND */
                        knownModels?: string[];
                        /** @description on MODEL_VERSION_NOT_FOUND */
                        knownVersions?: string[];
                        /** @description on BODY_INVALID */
                        errors?: {
                            path: string;
                            message: string;
                        }[];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
}
