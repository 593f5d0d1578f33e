<?php

declare(strict_types=1);

namespace Drupal\library_loans\Plugin\views\field;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\library_loans\LoanManagerInterface;
use Drupal\views\Attribute\ViewsField;
use Drupal\views\Plugin\views\field\FieldPluginBase;
use Drupal\views\ResultRow;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Shows whether the book in a views row is available, on loan or overdue.
 *
 * The status is computed from the loans table, so the field adds nothing to
 * the query.
 */
#[ViewsField('library_loans_status')]
class LoanStatus extends FieldPluginBase {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly LoanManagerInterface $loans,
    protected readonly DateFormatterInterface $dateFormatter,
    protected readonly TimeInterface $time,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('library_loans.loan_manager'),
      $container->get('date.formatter'),
      $container->get('datetime.time'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function query(): void {
    // Computed per row in render().
  }

  /**
   * {@inheritdoc}
   */
  public function render(ResultRow $values): array {
    $node = $this->getEntity($values);
    $loan = $node ? $this->loans->openLoanForBook((int) $node->id()) : NULL;
    $status = match (TRUE) {
      $loan === NULL => 'available',
      $loan->isOverdue($this->time->getRequestTime()) => 'overdue',
      default => 'on_loan',
    };
    return [
      '#type' => 'component',
      '#component' => 'library_loans:loan-status-badge',
      '#props' => [
        'status' => $status,
        'due_date' => $loan ? $this->dateFormatter->format($loan->due, 'custom', 'j M Y') : '',
      ],
      '#cache' => ['tags' => $node ? $node->getCacheTags() : []],
    ];
  }

}
