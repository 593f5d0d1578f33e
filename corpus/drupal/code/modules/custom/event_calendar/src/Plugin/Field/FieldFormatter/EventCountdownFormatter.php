<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Plugin\Field\FieldFormatter;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Field\Attribute\FieldFormatter;
use Drupal\Core\Field\FieldDefinitionInterface;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Shows how long until an event starts, or that it is running or over.
 */
#[FieldFormatter(
  id: 'event_calendar_countdown',
  label: new TranslatableMarkup('Countdown to start'),
  field_types: ['daterange'],
)]
class EventCountdownFormatter extends FormatterBase {

  public function __construct(
    $plugin_id,
    $plugin_definition,
    FieldDefinitionInterface $field_definition,
    array $settings,
    $label,
    $view_mode,
    array $third_party_settings,
    protected readonly TimeInterface $time,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {
    parent::__construct($plugin_id, $plugin_definition, $field_definition, $settings, $label, $view_mode, $third_party_settings);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $plugin_id,
      $plugin_definition,
      $configuration['field_definition'],
      $configuration['settings'],
      $configuration['label'],
      $configuration['view_mode'],
      $configuration['third_party_settings'],
      $container->get('datetime.time'),
      $container->get('date.formatter'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode): array {
    $now = $this->time->getRequestTime();
    $elements = [];
    foreach ($items as $delta => $item) {
      $start = strtotime($item->value . ' UTC');
      $end = strtotime($item->end_value . ' UTC');
      if ($now < $start) {
        $text = $this->t('Starts in @interval', [
          '@interval' => $this->dateFormatter->formatDiff($now, $start, ['granularity' => 2]),
        ]);
      }
      elseif ($now <= $end) {
        $text = $this->t('Happening now');
      }
      else {
        $text = $this->t('Ended @interval ago', [
          '@interval' => $this->dateFormatter->formatDiff($end, $now, ['granularity' => 1]),
        ]);
      }
      $elements[$delta] = [
        '#markup' => $text,
        // The text changes as time passes; keep it fresh for a minute at most.
        '#cache' => ['max-age' => 60],
      ];
    }
    return $elements;
  }

}
