<?php

declare(strict_types=1);

namespace Drupal\member_directory\Form;

use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RequestStack;

/**
 * The keyword search box shown above the member directory.
 */
class MemberSearchForm extends FormBase {

  public function __construct(RequestStack $request_stack) {
    $this->requestStack = $request_stack;
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('request_stack'));
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'member_directory_search';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['#attributes']['class'][] = 'member-directory-search';
    $form['keywords'] = [
      '#type' => 'search',
      '#title' => $this->t('Find a member'),
      '#title_display' => 'invisible',
      '#placeholder' => $this->t('Name, job title or expertise'),
      '#default_value' => $this->getRequest()->query->get('keywords', ''),
      '#maxlength' => 64,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Search'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $keywords = trim((string) $form_state->getValue('keywords'));
    if ($keywords !== '' && mb_strlen($keywords) < 2) {
      $form_state->setErrorByName('keywords', $this->t('Enter at least @count characters to search.', ['@count' => 2]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $keywords = trim((string) $form_state->getValue('keywords'));
    $form_state->setRedirect('member_directory.listing', [], [
      'query' => $keywords === '' ? [] : ['keywords' => $keywords],
    ]);
  }

}
