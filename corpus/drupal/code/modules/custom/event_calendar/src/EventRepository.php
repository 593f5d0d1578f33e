<?php

declare(strict_types=1);

namespace Drupal\event_calendar;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Entity\Query\QueryInterface;
use Drupal\datetime\Plugin\Field\FieldType\DateTimeItemInterface;
use Drupal\node\NodeInterface;

/**
 * Queries event nodes through their date range field.
 */
class EventRepository implements EventRepositoryInterface {

  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public function upcoming(int $limit): array {
    $field = $this->dateField();
    $now = $this->storageDate($this->time->getRequestTime());
    $ids = $this->baseQuery()
      ->condition("$field.end_value", $now, '>=')
      ->sort("$field.value")
      ->range(0, $limit)
      ->execute();
    return $this->entityTypeManager->getStorage('node')->loadMultiple($ids);
  }

  /**
   * {@inheritdoc}
   */
  public function inMonth(int $year, int $month): array {
    $field = $this->dateField();
    $first = new \DateTimeImmutable(sprintf('%04d-%02d-01 00:00:00', $year, $month), new \DateTimeZone('UTC'));
    $last = $first->modify('last day of this month 23:59:59');
    $ids = $this->baseQuery()
      ->condition("$field.value", $last->format(DateTimeItemInterface::DATETIME_STORAGE_FORMAT), '<=')
      ->condition("$field.end_value", $first->format(DateTimeItemInterface::DATETIME_STORAGE_FORMAT), '>=')
      ->sort("$field.value")
      ->execute();
    return $this->entityTypeManager->getStorage('node')->loadMultiple($ids);
  }

  /**
   * {@inheritdoc}
   */
  public function endedBefore(int $timestamp): array {
    $ids = $this->baseQuery()
      ->condition($this->dateField() . '.end_value', $this->storageDate($timestamp), '<')
      ->execute();
    return array_map('intval', array_values($ids));
  }

  /**
   * Starts an access-checked query for published events.
   */
  protected function baseQuery(): QueryInterface {
    $bundle = $this->configFactory->get('event_calendar.settings')->get('bundle') ?? 'event';
    return $this->entityTypeManager->getStorage('node')->getQuery()
      ->accessCheck(TRUE)
      ->condition('type', $bundle)
      ->condition('status', NodeInterface::PUBLISHED);
  }

  /**
   * Returns the machine name of the configured date range field.
   */
  protected function dateField(): string {
    return $this->configFactory->get('event_calendar.settings')->get('date_field') ?? 'field_event_date';
  }

  /**
   * Formats a timestamp the way datetime fields store their values.
   */
  protected function storageDate(int $timestamp): string {
    return (new \DateTimeImmutable('@' . $timestamp))
      ->setTimezone(new \DateTimeZone(DateTimeItemInterface::STORAGE_TIMEZONE))
      ->format(DateTimeItemInterface::DATETIME_STORAGE_FORMAT);
  }

}
