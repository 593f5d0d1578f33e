<?php

declare(strict_types=1);

namespace Drupal\site_alerts;

/**
 * One scheduled site-wide alert, as stored in the alert repository.
 */
final class SiteAlert {

  public function __construct(
    public readonly string $id,
    public readonly string $message,
    public readonly AlertSeverity $severity,
    public readonly int $startsAt,
    public readonly ?int $endsAt = NULL,
  ) {}

  /**
   * Creates an alert from the array kept in the key/value store.
   *
   * @param array{id: string, message: string, severity: string, starts_at: int, ends_at: ?int} $values
   *   The stored values.
   */
  public static function fromArray(array $values): self {
    return new self(
      $values['id'],
      $values['message'],
      AlertSeverity::tryFrom($values['severity']) ?? AlertSeverity::Info,
      (int) $values['starts_at'],
      isset($values['ends_at']) ? (int) $values['ends_at'] : NULL,
    );
  }

  /**
   * Returns the values to store for this alert.
   */
  public function toArray(): array {
    return [
      'id' => $this->id,
      'message' => $this->message,
      'severity' => $this->severity->value,
      'starts_at' => $this->startsAt,
      'ends_at' => $this->endsAt,
    ];
  }

  /**
   * Whether the alert is shown at the given Unix timestamp.
   */
  public function isActiveAt(int $timestamp): bool {
    if ($timestamp < $this->startsAt) {
      return FALSE;
    }
    return $this->endsAt === NULL || $timestamp < $this->endsAt;
  }

  /**
   * Whether the alert ended before the given Unix timestamp.
   */
  public function hasEndedBy(int $timestamp): bool {
    return $this->endsAt !== NULL && $this->endsAt <= $timestamp;
  }

}
