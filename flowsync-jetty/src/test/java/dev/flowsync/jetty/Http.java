package dev.flowsync.jetty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small test client for the HTTP API on the JDK's HttpClient. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final URI base;

  Http(URI base) {
    this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  Http(URI base, HttpClient client) {
    this.base = base;
    this.client = client;
  }

  /** An answer: status, headers and the body parsed as JSON when it is JSON. */
  record Answer(int status, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(raw.body());
      } catch (Exception e) {
        throw new AssertionError("Not JSON: " + raw.body(), e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String error() {
      return json().path("error").asText();
    }
  }

  Answer get(String path, String bearer) {
    return send("GET", path, bearer, null);
  }

  Answer post(String path, String bearer, String body) {
    return send("POST", path, bearer, body);
  }

  Answer delete(String path, String bearer) {
    return send("DELETE", path, bearer, null);
  }

  Answer send(String method, String path, String bearer, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }
}
