<?php

declare(strict_types=1);

namespace Drupal\site_alerts;

use Drupal\Core\StringTranslation\TranslatableMarkup;

/**
 * The severity levels a site alert can have, from least to most urgent.
 */
enum AlertSeverity: string {

  case Info = 'info';
  case Warning = 'warning';
  case Critical = 'critical';

  /**
   * Returns the human-readable name of the severity.
   */
  public function label(): TranslatableMarkup {
    return match ($this) {
      self::Info => new TranslatableMarkup('Information'),
      self::Warning => new TranslatableMarkup('Warning'),
      self::Critical => new TranslatableMarkup('Critical'),
    };
  }

  /**
   * Returns a rank used to sort alerts, higher is more urgent.
   */
  public function rank(): int {
    return match ($this) {
      self::Info => 0,
      self::Warning => 1,
      self::Critical => 2,
    };
  }

  /**
   * Whether visitors may hide an alert of this severity.
   */
  public function isDismissible(): bool {
    return $this !== self::Critical;
  }

  /**
   * Returns the severities as form options keyed by their stored value.
   *
   * @return array<string, \Drupal\Core\StringTranslation\TranslatableMarkup>
   *   The option labels.
   */
  public static function options(): array {
    $options = [];
    foreach (self::cases() as $case) {
      $options[$case->value] = $case->label();
    }
    return $options;
  }

}
